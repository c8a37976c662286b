package dev.mvmm.core.health.soak;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One VM's service as it really was: the instants its listener opened and closed. This is the
 * ground truth the monitor's actions are judged by; it is open before its first change.
 */
public final class Timeline {

    private final List<Instant> changes = new ArrayList<>();
    private final List<Boolean> states = new ArrayList<>();

    /** Records that the service became open or closed at {@code at}; a change to the same state is ignored. */
    public synchronized void record(Instant at, boolean open) {
        if (states.isEmpty() ? open : states.get(states.size() - 1) == open) {
            return;
        }
        changes.add(at);
        states.add(open);
    }

    /** The spans in which the service was closed ({@code open == false}) or open, cut off at {@code end}. */
    public synchronized List<Span> spans(boolean open, Instant start, Instant end) {
        List<Span> spans = new ArrayList<>();
        Instant from = open ? start : null;
        for (int i = 0; i < changes.size(); i++) {
            if (states.get(i) == open) {
                from = changes.get(i);
            } else if (from != null) {
                add(spans, from, changes.get(i), start, end);
                from = null;
            }
        }
        if (from != null) {
            add(spans, from, end, start, end);
        }
        return spans;
    }

    private static void add(List<Span> spans, Instant from, Instant to, Instant start, Instant end) {
        Span span = new Span(from, to).within(start, end);
        if (span != null) {
            spans.add(span);
        }
    }

    /** Whether the service was closed ({@code open == false}) or open at some instant of {@code [from, to]}. */
    public boolean wasAt(boolean open, Instant from, Instant to) {
        if (!from.isBefore(to)) {
            return false;
        }
        return !spans(open, from, to).isEmpty();
    }

    public synchronized int changes() {
        return changes.size();
    }
}
