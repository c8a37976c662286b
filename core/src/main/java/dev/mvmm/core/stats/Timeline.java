package dev.mvmm.core.stats;

import dev.mvmm.core.store.Availability;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Integrates a VM's availability transitions over a window. Pure arithmetic, tested to the
 * millisecond.
 *
 * <ul>
 *   <li>Points are taken in recording order. A point earlier than the one before it (the clock was
 *       set back) starts a new segment there; no segment has negative length.</li>
 *   <li>Time before the first point, and after {@code coveredUntil} (the last check), is unknown:
 *       it is neither uptime nor downtime.</li>
 *   <li>An outage begins when the VM goes {@link Availability#DOWN} and lasts through maintenance
 *       until the VM is {@link Availability#UP} again (a recovery, timed from the outage's start)
 *       or stopped, absent or unmonitored (no recovery). It counts in every window it overlaps; its
 *       recovery time counts in the window where the recovery happened.</li>
 * </ul>
 */
public final class Timeline {

    /**
     * One recorded change: from {@code at} on, the VM was {@code availability}. A {@code continued}
     * point restates the state at the boundary of compacted history: it is a new outage only for a
     * window that starts after it (otherwise the daily totals before it counted that outage).
     */
    public record Point(Instant at, Availability availability, boolean continued) {

        public Point(Instant at, Availability availability) {
            this(at, availability, false);
        }
    }

    /** What a window holds. Durations by availability; unknown time is the rest of the window. */
    public record Totals(Map<Availability, Duration> time, Duration unknown, int outages, int recoveries,
            Duration recoveryTime, boolean outageOpenAtStart) {

        public Duration of(Availability availability) {
            return time.getOrDefault(availability, Duration.ZERO);
        }

        /** Up time over the time the VM was meant to run and be up ({@code UP + DOWN}); null if none. */
        public Double availabilityRatio() {
            long up = of(Availability.UP).toMillis();
            long down = of(Availability.DOWN).toMillis();
            return up + down == 0 ? null : (double) up / (up + down);
        }

        public Duration meanTimeToRecovery() {
            return recoveries == 0 ? null : recoveryTime.dividedBy(recoveries);
        }
    }

    private Timeline() {
    }

    public static Totals integrate(List<Point> points, Instant start, Instant end, Instant coveredUntil) {
        return integrate(points, start, end, coveredUntil, false);
    }

    /**
     * @param startsOnly count only outages that begin in the window (per-day totals, which are
     *                   added up later); an outage already open at the start is flagged instead
     */
    public static Totals integrate(List<Point> points, Instant start, Instant end, Instant coveredUntil,
            boolean startsOnly) {
        Map<Availability, Duration> time = new EnumMap<>(Availability.class);
        Instant limit = coveredUntil == null || coveredUntil.isAfter(end) ? end : coveredUntil;
        Outages outages = new Outages(start, limit, startsOnly);
        for (int i = 0; i < points.size(); i++) {
            Point point = points.get(i);
            Instant segmentEnd = i + 1 < points.size() ? points.get(i + 1).at() : limit;
            if (segmentEnd.isBefore(point.at())) {
                segmentEnd = point.at();
            }
            Instant from = max(point.at(), start);
            Instant to = min(segmentEnd, limit);
            if (from.isBefore(to)) {
                time.merge(point.availability(), Duration.between(from, to), Duration::plus);
            }
            outages.see(point);
        }
        outages.finish();
        Duration known = time.values().stream().reduce(Duration.ZERO, Duration::plus);
        Duration unknown = Duration.between(start, end).minus(known);
        return new Totals(time, unknown.isNegative() ? Duration.ZERO : unknown, outages.count, outages.recoveries,
                outages.recoveryTime, outages.openAtStart);
    }

    /**
     * Outages as episodes: one begins when the VM goes down and lasts through maintenance, until it
     * is up again (a recovery) or stopped, absent or unmonitored (no recovery).
     */
    private static final class Outages {
        private final Instant start;
        private final Instant limit;
        private final boolean startsOnly;
        private Instant openSince;
        private boolean carried;
        int count;
        int recoveries;
        Duration recoveryTime = Duration.ZERO;
        boolean openAtStart;

        Outages(Instant start, Instant limit, boolean startsOnly) {
            this.start = start;
            this.limit = limit;
            this.startsOnly = startsOnly;
        }

        void see(Point point) {
            switch (point.availability()) {
                case DOWN:
                    if (openSince == null) {
                        openSince = point.at();
                        carried = point.continued();
                    }
                    break;
                case MAINTENANCE:
                    break;
                case UP:
                    if (openSince != null) {
                        Instant recovered = max(point.at(), openSince);
                        if (!recovered.isBefore(start) && recovered.isBefore(limit)) {
                            recoveries++;
                            recoveryTime = recoveryTime.plus(Duration.between(openSince, recovered));
                        }
                        close(recovered);
                    }
                    break;
                default:
                    if (openSince != null) {
                        close(max(point.at(), openSince));
                    }
            }
        }

        void finish() {
            if (openSince != null) {
                close(max(limit, openSince));
            }
        }

        private void close(Instant end) {
            boolean overlaps = openSince.isBefore(limit) && (end.isAfter(start) || !openSince.isBefore(start));
            boolean beginsInside = !openSince.isBefore(start) && openSince.isBefore(limit);
            // An outage restated at the compaction boundary was counted by the daily totals before it.
            boolean countedBefore = carried && !start.isAfter(openSince);
            if (startsOnly) {
                if (beginsInside && !carried) {
                    count++;
                }
                if (openSince.isBefore(start) && end.isAfter(start) || carried && openSince.equals(start)) {
                    openAtStart = true;
                }
            } else if (overlaps && !countedBefore) {
                count++;
            }
            openSince = null;
            carried = false;
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
