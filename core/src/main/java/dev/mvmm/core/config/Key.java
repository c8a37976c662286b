package dev.mvmm.core.config;

/**
 * A configuration key: its name, how its value is read, its default and where it may be set.
 *
 * @param <T> the type of the value
 */
public final class Key<T> {

    /** Where a key may appear. */
    public enum Scope {
        /** Only in {@code mvmm.conf}: it concerns the whole host. */
        GLOBAL,
        /** In {@code mvmm.conf} as a default for every VM, or in a {@code <VM>.conf}. */
        VM
    }

    /** What an empty value ({@code key=}) means. */
    public enum Empty {
        /** An error: the key needs a value. */
        REFUSED,
        /** The type reads the empty text (an empty list). */
        VALUE,
        /** No limit: overrides a value from mvmm.conf with "unset". */
        UNSET
    }

    private final String name;
    private final ValueType<T> type;
    private final T defaultValue;
    private final Scope scope;
    private final String description;
    private final Empty empty;

    Key(String name, ValueType<T> type, T defaultValue, Scope scope, String description, Empty empty) {
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.scope = scope;
        this.description = description;
        this.empty = empty;
    }

    public String name() {
        return name;
    }

    public ValueType<T> type() {
        return type;
    }

    /** The value used when no file sets the key; {@code null} when there is none. */
    public T defaultValue() {
        return defaultValue;
    }

    public Scope scope() {
        return scope;
    }

    public String description() {
        return description;
    }

    public Empty empty() {
        return empty;
    }

    @Override
    public String toString() {
        return name;
    }
}
