package dev.mvmm.core.stats;

import static dev.mvmm.core.store.Availability.ABSENT;
import static dev.mvmm.core.store.Availability.DOWN;
import static dev.mvmm.core.store.Availability.MAINTENANCE;
import static dev.mvmm.core.store.Availability.STOPPED;
import static dev.mvmm.core.store.Availability.UP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.store.Availability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimelineTest {

    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");
    private final List<Timeline.Point> points = new ArrayList<>();

    private TimelineTest at(long second, Availability availability) {
        points.add(new Timeline.Point(T0.plusSeconds(second), availability));
        return this;
    }

    private Timeline.Totals window(long from, long to, long coveredUntil) {
        return Timeline.integrate(points, T0.plusSeconds(from), T0.plusSeconds(to), T0.plusSeconds(coveredUntil));
    }

    private static Duration s(long seconds) {
        return Duration.ofSeconds(seconds);
    }

    @Test
    void up_and_down_time_and_availability() {
        at(0, UP).at(900, DOWN).at(1000, UP);

        Timeline.Totals totals = window(0, 3600, 3600);

        assertThat(totals.of(UP)).isEqualTo(s(3500));
        assertThat(totals.of(DOWN)).isEqualTo(s(100));
        assertThat(totals.availabilityRatio()).isEqualTo(3500.0 / 3600);
        assertThat(totals.outages()).isEqualTo(1);
        assertThat(totals.meanTimeToRecovery()).isEqualTo(s(100));
        assertThat(totals.unknown()).isZero();
    }

    @Test
    void the_state_at_the_window_start_comes_from_the_last_earlier_point() {
        at(0, DOWN).at(5000, UP);

        Timeline.Totals totals = window(3600, 7200, 7200);

        assertThat(totals.of(DOWN)).isEqualTo(s(1400));
        assertThat(totals.of(UP)).isEqualTo(s(2200));
        assertThat(totals.outages()).as("an outage overlapping the start counts").isEqualTo(1);
        assertThat(totals.meanTimeToRecovery()).as("timed from the outage's start").isEqualTo(s(5000));
    }

    @Test
    void a_recovery_after_the_window_does_not_count_towards_the_mean() {
        at(0, UP).at(3000, DOWN).at(4000, UP);

        Timeline.Totals totals = window(0, 3600, 7200);

        assertThat(totals.outages()).isEqualTo(1);
        assertThat(totals.recoveries()).isZero();
        assertThat(totals.meanTimeToRecovery()).isNull();
        assertThat(totals.of(DOWN)).isEqualTo(s(600));
    }

    @Test
    void points_exactly_on_the_boundaries() {
        at(0, UP).at(3600, DOWN);

        Timeline.Totals first = window(0, 3600, 7200);
        Timeline.Totals second = window(3600, 7200, 7200);

        assertThat(first.of(UP)).isEqualTo(s(3600));
        assertThat(first.outages()).isZero();
        assertThat(second.of(DOWN)).isEqualTo(s(3600));
        assertThat(second.outages()).isEqualTo(1);
    }

    @Test
    void maintenance_inside_an_outage_is_not_downtime_and_does_not_split_it() {
        at(0, UP).at(100, DOWN).at(200, MAINTENANCE).at(500, DOWN).at(600, UP);

        Timeline.Totals totals = window(0, 1000, 1000);

        assertThat(totals.of(DOWN)).isEqualTo(s(200));
        assertThat(totals.of(MAINTENANCE)).isEqualTo(s(300));
        assertThat(totals.outages()).isEqualTo(1);
        assertThat(totals.meanTimeToRecovery()).isEqualTo(s(500));
        assertThat(totals.availabilityRatio()).isEqualTo(500.0 / 700);
    }

    @Test
    void a_vm_stopped_on_purpose_during_an_outage_ends_it_without_a_recovery() {
        at(0, UP).at(100, DOWN).at(200, STOPPED).at(900, UP);

        Timeline.Totals totals = window(0, 1000, 1000);

        assertThat(totals.outages()).isEqualTo(1);
        assertThat(totals.recoveries()).isZero();
        assertThat(totals.of(STOPPED)).isEqualTo(s(700));
        assertThat(totals.of(DOWN)).isEqualTo(s(100));
    }

    @Test
    void time_before_the_first_point_and_after_the_last_check_is_unknown() {
        at(1000, UP);

        Timeline.Totals totals = window(0, 3600, 3000);

        assertThat(totals.of(UP)).isEqualTo(s(2000));
        assertThat(totals.unknown()).isEqualTo(s(1600));
    }

    @Test
    void a_window_with_no_data_is_all_unknown() {
        Timeline.Totals totals = window(0, 3600, 3600);

        assertThat(totals.time()).isEmpty();
        assertThat(totals.unknown()).isEqualTo(s(3600));
        assertThat(totals.availabilityRatio()).isNull();
        assertThat(totals.outages()).isZero();
    }

    @Test
    void a_clock_set_back_never_makes_negative_time() {
        at(0, UP).at(1000, DOWN).at(400, UP);

        Timeline.Totals totals = window(0, 2000, 2000);

        assertThat(totals.of(UP)).isEqualTo(s(1000 + 1600));
        assertThat(totals.of(DOWN)).isZero();
        assertThat(totals.time().values()).allSatisfy(d -> assertThat(d.isNegative()).isFalse());
    }

    @Test
    void absent_time_is_separate() {
        at(0, UP).at(100, ABSENT).at(300, UP);

        Timeline.Totals totals = window(0, 400, 400);

        assertThat(totals.of(ABSENT)).isEqualTo(s(200));
        assertThat(totals.availabilityRatio()).isEqualTo(1.0);
    }

    @Test
    void an_outage_restated_at_a_compaction_boundary_is_not_counted_twice() {
        points.add(new Timeline.Point(T0, DOWN, true));
        at(600, UP);

        assertThat(window(0, 3600, 3600).outages()).as("window from the boundary: counted in the days before")
                .isZero();
        assertThat(window(60, 3600, 3600).outages()).as("window after the boundary").isEqualTo(1);
    }

    /**
     * The integration as first written, on {@link Instant}s and {@link Duration}s: the packed one that
     * replaced it (for speed) must give the same totals on any history, to the millisecond.
     */
    static final class Reference {
        static Timeline.Totals integrate(List<Timeline.Point> points, Instant start, Instant end,
                Instant coveredUntil, boolean startsOnly) {
            Map<Availability, Duration> time = new EnumMap<>(Availability.class);
            Instant limit = coveredUntil == null || coveredUntil.isAfter(end) ? end : coveredUntil;
            Outages outages = new Outages(start, limit, startsOnly);
            for (int i = 0; i < points.size(); i++) {
                Timeline.Point point = points.get(i);
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
            return new Timeline.Totals(time, unknown.isNegative() ? Duration.ZERO : unknown, outages.count,
                    outages.recoveries, outages.recoveryTime, outages.openAtStart);
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

            void see(Timeline.Point point) {
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

    @Test
    void the_packed_integration_agrees_with_the_first_one_on_random_histories() {
        java.util.Random random = new java.util.Random(20_261_122L);
        Availability[] all = Availability.values();
        for (int n = 0; n < 20_000; n++) {
            List<Timeline.Point> history = new ArrayList<>();
            long at = random.nextInt(1000);
            int size = random.nextInt(12);
            for (int i = 0; i < size; i++) {
                // Mostly forward, sometimes the same millisecond, sometimes back (a clock set back).
                at += random.nextInt(10) == 0 ? -random.nextInt(300)
                        : random.nextInt(3) == 0 ? 0 : random.nextInt(400);
                history.add(new Timeline.Point(T0.plusMillis(at), all[random.nextInt(all.length)],
                        random.nextInt(5) == 0));
            }
            Instant start = T0.plusMillis(random.nextInt(2000) - 200);
            Instant end = start.plusMillis(random.nextInt(3000));
            Instant covered = random.nextInt(6) == 0 ? null : T0.plusMillis(random.nextInt(4000) - 200);
            boolean startsOnly = random.nextBoolean();
            assertThat(Timeline.integrate(history, start, end, covered, startsOnly))
                    .as("%s from %s to %s covered %s startsOnly %s", history, start, end, covered, startsOnly)
                    .isEqualTo(Reference.integrate(history, start, end, covered, startsOnly));
        }
    }
}
