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
import java.util.List;
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
}
