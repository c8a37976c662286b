package dev.mvmm.core.health.soak;

import java.time.Duration;
import java.time.Instant;

/** A stretch of time, {@code from} inclusive, {@code to} exclusive. */
public record Span(Instant from, Instant to) {

    public Duration length() {
        return Duration.between(from, to);
    }

    /** Whether this span and {@code [start, end)} share a moment. */
    public boolean overlaps(Instant start, Instant end) {
        return from.isBefore(end) && to.isAfter(start);
    }

    /** The part of this span inside {@code [start, end]}, or {@code null} when there is none. */
    public Span within(Instant start, Instant end) {
        Instant a = from.isAfter(start) ? from : start;
        Instant b = to.isBefore(end) ? to : end;
        return a.isBefore(b) ? new Span(a, b) : null;
    }

    @Override
    public String toString() {
        return from + ".." + to;
    }
}
