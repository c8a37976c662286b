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

    /**
     * Points packed one to a long, in recording order: {@code at * 16 + availability * 2 + continued},
     * {@code at} in milliseconds since 1970 and the availability by its position in {@link Availability}.
     * A year's report integrates some 80,000 points at 1,000 VMs, mostly before the JIT has compiled
     * anything: as longs they cost a fraction of as many {@link Point} and {@link Instant} objects.
     */
    public static final class Packed {

        private static final Availability[] AVAILABILITIES = Availability.values();
        /** The most availabilities three bits hold, one code (7) left for "not known". */
        static final int UNKNOWN = 7;

        static {
            if (AVAILABILITIES.length > UNKNOWN) {
                throw new ExceptionInInitializerError("more availabilities than a packed point holds");
            }
        }

        private final long[] points;
        private final int from;
        private final int to;

        /** Points {@code from} (inclusive) to {@code to} (exclusive) of {@code points}. */
        public Packed(long[] points, int from, int to) {
            this.points = points;
            this.from = from;
            this.to = to;
        }

        public static long pack(long atMillis, int availability, boolean continued) {
            return atMillis * 16 + availability * 2L + (continued ? 1 : 0);
        }

        public static Packed of(List<Point> points) {
            long[] packed = new long[points.size()];
            for (int i = 0; i < packed.length; i++) {
                Point point = points.get(i);
                packed[i] = pack(point.at().toEpochMilli(), point.availability().ordinal(), point.continued());
            }
            return new Packed(packed, 0, packed.length);
        }

        public int size() {
            return to - from;
        }

        /** When point {@code i} was recorded, in milliseconds since 1970. */
        public long at(int i) {
            return points[from + i] >> 4;
        }

        /** Point {@code i}'s availability's position in {@link Availability}. */
        public int availability(int i) {
            return availabilityOf(points[from + i]);
        }

        /** A packed point's availability's position in {@link Availability}; {@link #UNKNOWN} when not known. */
        static int availabilityOf(long point) {
            return (int) (point & 15) >> 1;
        }

        public boolean continued(int i) {
            return (points[from + i] & 1) == 1;
        }

        /** The points from {@code i} on. */
        public Packed from(int i) {
            return new Packed(points, from + i, to);
        }

        public List<Point> toList() {
            List<Point> list = new java.util.ArrayList<>(size());
            for (int i = 0; i < size(); i++) {
                list.add(new Point(Instant.ofEpochMilli(at(i)), AVAILABILITIES[availability(i)], continued(i)));
            }
            return list;
        }
    }

    private Timeline() {
    }

    public static Totals integrate(List<Point> points, Instant start, Instant end, Instant coveredUntil) {
        return integrate(Packed.of(points), start, end, coveredUntil, false);
    }

    public static Totals integrate(List<Point> points, Instant start, Instant end, Instant coveredUntil,
            boolean startsOnly) {
        return integrate(Packed.of(points), start, end, coveredUntil, startsOnly);
    }

    /**
     * Works to the millisecond, the resolution transitions are recorded in: instants between two
     * milliseconds count from the millisecond before.
     *
     * @param startsOnly count only outages that begin in the window (per-day totals, which are
     *                   added up later); an outage already open at the start is flagged instead
     */
    public static Totals integrate(Packed points, Instant start, Instant end, Instant coveredUntil,
            boolean startsOnly) {
        long startAt = start.toEpochMilli();
        long endAt = end.toEpochMilli();
        long limit = coveredUntil == null || coveredUntil.isAfter(end) ? endAt : coveredUntil.toEpochMilli();
        long[] time = new long[Packed.AVAILABILITIES.length];
        boolean[] seen = new boolean[time.length];
        Outages outages = new Outages(startAt, limit, startsOnly);
        int size = points.size();
        for (int i = 0; i < size; i++) {
            long at = points.at(i);
            int availability = points.availability(i);
            long segmentEnd = Math.max(i + 1 < size ? points.at(i + 1) : limit, at);
            long from = Math.max(at, startAt);
            long to = Math.min(segmentEnd, limit);
            if (from < to) {
                time[availability] += to - from;
                seen[availability] = true;
            }
            outages.see(at, availability, points.continued(i));
        }
        outages.finish();
        Map<Availability, Duration> totals = new EnumMap<>(Availability.class);
        long known = 0;
        for (Availability availability : Packed.AVAILABILITIES) {
            if (seen[availability.ordinal()]) {
                totals.put(availability, Duration.ofMillis(time[availability.ordinal()]));
                known += time[availability.ordinal()];
            }
        }
        long unknown = endAt - startAt - known;
        return new Totals(totals, Duration.ofMillis(Math.max(unknown, 0)), outages.count, outages.recoveries,
                Duration.ofMillis(outages.recoveryTime), outages.openAtStart);
    }

    private static final int UP = Availability.UP.ordinal();
    private static final int DOWN = Availability.DOWN.ordinal();
    private static final int MAINTENANCE = Availability.MAINTENANCE.ordinal();

    /**
     * Outages as episodes: one begins when the VM goes down and lasts through maintenance, until it
     * is up again (a recovery) or stopped, absent or unmonitored (no recovery).
     */
    private static final class Outages {
        private final long start;
        private final long limit;
        private final boolean startsOnly;
        private boolean open;
        private long openSince;
        private boolean carried;
        int count;
        int recoveries;
        long recoveryTime;
        boolean openAtStart;

        Outages(long start, long limit, boolean startsOnly) {
            this.start = start;
            this.limit = limit;
            this.startsOnly = startsOnly;
        }

        void see(long at, int availability, boolean continued) {
            if (availability == DOWN) {
                if (!open) {
                    open = true;
                    openSince = at;
                    carried = continued;
                }
            } else if (availability == UP) {
                if (open) {
                    long recovered = Math.max(at, openSince);
                    if (recovered >= start && recovered < limit) {
                        recoveries++;
                        recoveryTime += recovered - openSince;
                    }
                    close(recovered);
                }
            } else if (availability != MAINTENANCE && open) {
                close(Math.max(at, openSince));
            }
        }

        void finish() {
            if (open) {
                close(Math.max(limit, openSince));
            }
        }

        private void close(long end) {
            boolean overlaps = openSince < limit && (end > start || openSince >= start);
            boolean beginsInside = openSince >= start && openSince < limit;
            // An outage restated at the compaction boundary was counted by the daily totals before it.
            boolean countedBefore = carried && start <= openSince;
            if (startsOnly) {
                if (beginsInside && !carried) {
                    count++;
                }
                if (openSince < start && end > start || carried && openSince == start) {
                    openAtStart = true;
                }
            } else if (overlaps && !countedBefore) {
                count++;
            }
            open = false;
            carried = false;
        }
    }
}
