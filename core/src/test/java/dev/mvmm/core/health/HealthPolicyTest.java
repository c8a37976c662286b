package dev.mvmm.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.VmHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The decision rules, with the clock in the test's hand. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HealthPolicyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final ProbeOutcome UP = new ProbeOutcome(true, Duration.ofMillis(1), "all ports answer");
    private static final ProbeOutcome DOWN = new ProbeOutcome(false, null, "port 80 refused");

    private HealthSettings settings = settings("reboot", 3);
    private VmHealth state = VmHealth.fresh("web", T0);
    private String runId = "7";
    private boolean maintenance;
    private int actionsInWindow;

    private static HealthSettings settings(String action, int maxReboots) {
        return new HealthSettings("127.0.0.1", List.of(80), List.of(), Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(120), action, maxReboots, Duration.ofHours(1),
                HealthSettings.Schedule.NONE);
    }

    private HealthPolicy.Decision at(long seconds, ProbeOutcome probe) {
        HealthPolicy.Decision decision = HealthPolicy.decide(state, new HealthPolicy.Observation(runId, probe,
                maintenance, actionsInWindow, T0.plusSeconds(seconds)), settings);
        state = decision.next();
        return decision;
    }

    @Test
    void a_healthy_vm_needs_nothing() {
        HealthPolicy.Decision decision = at(0, UP);

        assertThat(decision.verdict()).isInstanceOf(Verdict.Healthy.class);
        assertThat(decision.actionDue()).isNull();
        assertThat(state.availability()).isEqualTo(Availability.UP);
    }

    @Test
    void reboots_after_threshold_measured_across_runs() {
        assertThat(at(0, DOWN).actionDue()).isNull();
        assertThat(at(15, DOWN).actionDue()).isNull();
        assertThat(at(29, DOWN).verdict().detail()).contains("failing for 29s of 30s");

        HealthPolicy.Decision decision = at(30, DOWN);

        assertThat(decision.actionDue()).isEqualTo("reboot");
        assertThat(decision.verdict().detail()).contains("failing for 30s");
    }

    @Test
    void a_single_late_run_acts_as_soon_as_the_threshold_has_passed() {
        at(0, DOWN);

        assertThat(at(300, DOWN).actionDue()).isEqualTo("reboot");
    }

    private static final long YEAR = Duration.ofDays(365).toSeconds();

    @Test
    void a_clock_set_back_from_a_year_ahead_does_not_stall_the_threshold() {
        at(0, UP);
        at(YEAR, DOWN);
        assertThat(at(YEAR + 10, DOWN).actionDue()).isNull();

        // Put right: the failure goes on, and is counted from the correction, not from a year on.
        assertThat(at(20, DOWN).verdict().detail()).contains("failing for 0s of 30s");
        assertThat(at(49, DOWN).actionDue()).isNull();
        assertThat(at(50, DOWN).actionDue()).isEqualTo("reboot");
    }

    @Test
    void a_clock_set_back_ends_a_recovery_grace_and_a_hold_at_their_length_from_now() {
        at(0, UP);
        VmHealth.Builder restarted = state.toBuilder();
        restarted.recoveryUntil = T0.plusSeconds(YEAR + 120);
        restarted.hold = new VmHealth.Hold(T0.plusSeconds(YEAR), "3 actions within 1h");
        restarted.checkedAt = T0.plusSeconds(YEAR);
        state = restarted.build();

        assertThat(at(10, DOWN).verdict().detail()).contains("recovering, failures count in 2m");
        assertThat(state.hold().since()).isEqualTo(T0.plusSeconds(10));
        at(200, UP);
        assertThat(at(200 + 3600, UP).verdict()).isInstanceOf(Verdict.Healthy.class);
        assertThat(state.hold()).isNull();
    }

    @Test
    void a_flapping_service_does_not_reset_the_clock() {
        at(0, DOWN);
        at(10, UP);
        at(20, DOWN);

        assertThat(at(30, DOWN).actionDue()).isEqualTo("reboot");
    }

    @Test
    void a_sustained_healthy_period_resets_the_clock() {
        at(0, DOWN);
        at(10, UP);
        at(40, UP);
        at(50, DOWN);

        assertThat(at(70, DOWN).actionDue()).isNull();
        assertThat(at(80, DOWN).actionDue()).isEqualTo("reboot");
    }

    @Test
    void failures_inside_the_recovery_time_do_not_count() {
        state = state.toBuilder().build();
        VmHealth.Builder recovering = state.toBuilder();
        recovering.recoveryUntil = T0.plusSeconds(120);
        state = recovering.build();

        HealthPolicy.Decision during = at(100, DOWN);
        assertThat(during.actionDue()).isNull();
        assertThat(during.verdict().detail()).contains("recovering, failures count in 20s");
        assertThat(at(125, DOWN).actionDue()).isNull();
        assertThat(at(154, DOWN).actionDue()).isNull();
        assertThat(at(155, DOWN).actionDue()).isEqualTo("reboot");
    }

    @Test
    void a_healthy_probe_ends_the_recovery_time_early() {
        VmHealth.Builder recovering = state.toBuilder();
        recovering.recoveryUntil = T0.plusSeconds(120);
        state = recovering.build();

        at(10, UP);
        at(20, DOWN);

        assertThat(at(50, DOWN).actionDue()).isEqualTo("reboot");
    }

    @Test
    void a_vm_restarted_by_someone_else_gets_the_recovery_time() {
        at(0, DOWN);
        runId = "8";

        HealthPolicy.Decision decision = at(40, DOWN);

        assertThat(decision.actionDue()).isNull();
        assertThat(decision.verdict().detail()).contains("recovering");
    }

    @Test
    void maintenance_records_but_never_acts_and_does_not_run_the_clock() {
        maintenance = true;
        at(0, DOWN);
        HealthPolicy.Decision during = at(600, DOWN);
        assertThat(during.actionDue()).isNull();
        assertThat(during.verdict().availability()).isEqualTo(Availability.MAINTENANCE);

        maintenance = false;
        assertThat(at(601, DOWN).actionDue()).as("a full threshold after maintenance").isNull();
        assertThat(at(631, DOWN).actionDue()).isEqualTo("reboot");
    }

    @Test
    void loop_guard_puts_the_vm_on_hold_instead_of_a_fourth_action() {
        actionsInWindow = 3;
        at(0, DOWN);

        HealthPolicy.Decision decision = at(30, DOWN);

        assertThat(decision.actionDue()).isNull();
        assertThat(decision.verdict()).isInstanceOf(Verdict.OnHold.class);
        assertThat(decision.verdict().severity()).isEqualTo(Severity.CRITICAL);
        assertThat(state.hold()).isNotNull();
        assertThat(state.hold().reason()).isEqualTo("3 actions within 1h");
    }

    @Test
    void a_vm_on_hold_is_not_acted_on_even_when_the_count_drops() {
        actionsInWindow = 3;
        at(0, DOWN);
        at(30, DOWN);
        actionsInWindow = 0;

        assertThat(at(4000, DOWN).actionDue()).isNull();
        assertThat(state.hold()).isNotNull();
    }

    @Test
    void hold_is_released_after_a_full_healthy_reboot_window() {
        actionsInWindow = 3;
        at(0, DOWN);
        at(30, DOWN);
        actionsInWindow = 0;

        at(100, UP);
        HealthPolicy.Decision stillHeld = at(100 + 3599, UP);
        assertThat(stillHeld.verdict()).isInstanceOf(Verdict.OnHold.class);
        assertThat(stillHeld.verdict().severity()).isEqualTo(Severity.WARNING);

        HealthPolicy.Decision released = at(100 + 3600, UP);
        assertThat(released.verdict()).isInstanceOf(Verdict.Healthy.class);
        assertThat(released.verdict().detail()).contains("hold released");
        assertThat(state.hold()).isNull();
    }

    @Test
    void a_failure_interrupts_the_healthy_streak_that_would_release_the_hold() {
        actionsInWindow = 3;
        at(0, DOWN);
        at(30, DOWN);
        at(100, UP);
        at(2000, DOWN);

        assertThat(at(2000 + 3600, UP).verdict()).isInstanceOf(Verdict.OnHold.class);
    }

    @Test
    void max_reboots_zero_holds_at_the_first_threshold() {
        settings = settings("reboot", 0);
        at(0, DOWN);

        assertThat(at(30, DOWN).verdict()).isInstanceOf(Verdict.OnHold.class);
    }

    @Test
    void action_none_notifies_once_per_threshold() {
        settings = settings("none", 3);
        at(0, DOWN);

        HealthPolicy.Decision first = at(30, DOWN);
        assertThat(first.actionDue()).isEqualTo("none");
        assertThat(first.verdict().kind()).isEqualTo("notified");
        assertThat(at(45, DOWN).actionDue()).isNull();
        assertThat(at(60, DOWN).actionDue()).isEqualTo("none");
    }

    @Test
    void reset_is_the_action_when_configured() {
        settings = settings("reset", 3);
        at(0, DOWN);

        assertThat(at(30, DOWN).actionDue()).isEqualTo("reset");
    }

    @org.junit.jupiter.api.Nested
    class Scheduled_restarts {

        private HealthPolicy.Decision daily(long seconds, boolean maintenanceNow) {
            settings = new HealthSettings("127.0.0.1", List.of(80), List.of(), Duration.ofSeconds(1),
                    Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), "reboot", 3,
                    Duration.ofHours(1), new HealthSettings.Schedule(java.time.LocalTime.of(3, 0), null,
                            Duration.ofSeconds(60)));
            HealthPolicy.Decision decision = HealthPolicy.decide(state, new HealthPolicy.Observation(runId, null, UP,
                    maintenanceNow, 0, T0.plusSeconds(seconds), java.time.ZoneOffset.UTC), settings);
            state = decision.next();
            return decision;
        }

        private void restarted(long seconds) {
            VmHealth.Builder after = state.toBuilder();
            after.scheduledAt = T0.plusSeconds(seconds);
            state = after.build();
        }

        @Test
        void restart_at_fires_when_mvmm_watched_the_vm_across_the_time() {
            assertThat(daily(2 * 3600 + 3590, false).actionDue()).isNull();

            assertThat(daily(3 * 3600 + 30, false).actionDue()).isEqualTo(HealthPolicy.SCHEDULED);
        }

        @Test
        void restart_at_never_fires_at_start_up_for_a_time_already_passed_today() {
            assertThat(daily(15 * 3600, false).actionDue()).as("first sight at 15:00").isNull();
            assertThat(daily(15 * 3600 + 60, false).actionDue()).isNull();
        }

        @Test
        void restart_at_skips_a_time_missed_while_mvmm_was_not_running() {
            daily(2 * 3600, false);

            assertThat(daily(9 * 3600, false).actionDue()).as("six hours late").isNull();
        }

        @Test
        void restart_at_does_not_fire_after_mvmm_was_restarted_across_the_time() {
            assertThat(daily(2 * 3600 + 3540, false).actionDue()).as("last check of the old process, 02:59")
                    .isNull();

            assertThat(daily(3 * 3600 + 300, false).actionDue()).as("first check of the new one, 03:05").isNull();
            assertThat(daily(3 * 3600 + 360, false).actionDue()).isNull();
        }

        @Test
        void restart_at_fires_after_one_missed_tick_but_not_after_two() {
            daily(2 * 3600 + 3590, false);
            assertThat(daily(3 * 3600 + 110, false).actionDue()).as("2 min gap, check_interval 60s")
                    .isEqualTo(HealthPolicy.SCHEDULED);

            state = VmHealth.fresh("web", T0);
            daily(26 * 3600 + 3590, false);
            assertThat(daily(27 * 3600 + 122, false).actionDue()).as("2m12s gap").isNull();
        }

        private void seenAs(Availability availability, long seconds) {
            VmHealth.Builder seen = state.toBuilder();
            seen.availability = availability;
            seen.verdict = "skipped";
            seen.checkedAt = T0.plusSeconds(seconds);
            state = seen.build();
        }

        @Test
        void restart_at_does_not_fire_for_a_vm_that_arrived_by_migration_across_the_time() {
            seenAs(Availability.ABSENT, 2 * 3600 + 3590);

            assertThat(daily(3 * 3600 + 20, false).actionDue()).as("first check here, 03:00:20").isNull();
            assertThat(daily(3 * 3600 + 80, false).actionDue()).isNull();
        }

        @Test
        void restart_at_does_not_fire_for_a_vm_started_across_the_time() {
            seenAs(Availability.STOPPED, 2 * 3600 + 3590);

            assertThat(daily(3 * 3600 + 20, false).actionDue()).isNull();
        }

        @Test
        void restart_at_fires_once_a_day() {
            daily(2 * 3600 + 3590, false);
            assertThat(daily(3 * 3600 + 10, false).actionDue()).isEqualTo(HealthPolicy.SCHEDULED);
            restarted(3 * 3600 + 20);

            assertThat(daily(3 * 3600 + 80, false).actionDue()).isNull();
            daily(26 * 3600 + 3590, false);
            assertThat(daily(27 * 3600 + 10, false).actionDue()).as("the next day").isEqualTo(HealthPolicy.SCHEDULED);
        }

        @Test
        void restart_at_respects_maintenance_and_hold() {
            daily(2 * 3600 + 3590, false);
            assertThat(daily(3 * 3600 + 10, true).actionDue()).isNull();

            VmHealth.Builder held = state.toBuilder();
            held.hold = new VmHealth.Hold(T0, "test");
            held.healthySince = T0.plusSeconds(26 * 3600 + 3000);
            state = held.build();
            daily(26 * 3600 + 3590, false);
            assertThat(daily(27 * 3600 + 10, false).actionDue()).isNull();
        }

        @Test
        void restart_after_fires_on_the_age_of_the_run() {
            settings = new HealthSettings("127.0.0.1", List.of(80), List.of(), Duration.ofSeconds(1),
                    Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), "reboot", 3,
                    Duration.ofHours(1), new HealthSettings.Schedule(null, Duration.ofDays(1), Duration.ofSeconds(60)));
            Instant bootedAt = T0.minus(Duration.ofHours(23));
            HealthPolicy.Decision early = HealthPolicy.decide(state, new HealthPolicy.Observation(runId, bootedAt, UP,
                    false, 0, T0, java.time.ZoneOffset.UTC), settings);
            state = early.next();
            HealthPolicy.Decision due = HealthPolicy.decide(state, new HealthPolicy.Observation(runId, bootedAt, UP,
                    false, 0, T0.plus(Duration.ofHours(1)), java.time.ZoneOffset.UTC), settings);

            assertThat(early.actionDue()).isNull();
            assertThat(state.runStartedAt()).isEqualTo(bootedAt);
            assertThat(due.actionDue()).isEqualTo(HealthPolicy.SCHEDULED);
            assertThat(due.verdict().detail()).contains("restart_after 1d, up 1d");
        }
    }
}
