package dev.mvmm.core.notify;

/** Delivers events to whoever is listening. Implementations never throw. */
@FunctionalInterface
public interface Notifier {

    Notifier NONE = event -> { };

    void notify(Event event);
}
