package dev.mvmm.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.store.VmHealth;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor's gathered state writes, on a real database. */
class StateWriterTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void a_reload_of_one_vm_commits_only_when_a_change_of_that_vm_is_waiting() {
        try (StateStore store = StateStore.open(dir.resolve("mvmm.db"))) {
            HealthRepository health = new HealthRepository(store);
            StateWriter writer = new StateWriter(new VmCheck(new HealthServices(null, health, null, null, null, null, null,
                    Clock.systemUTC(), null)));
            writer.add(VmHealth.fresh("db", NOW), checked("db"));

            writer.flush("web");

            assertThat(writer.pending()).as("web has nothing queued: db's change waits for the batch").isEqualTo(1);
            assertThat(health.load("db")).isEmpty();

            writer.flush("db");

            assertThat(writer.pending()).isZero();
            assertThat(health.load("db")).get().extracting(VmHealth::availability).isEqualTo(Availability.UP);
        }
    }

    @Test
    void a_routine_check_waits_until_the_deferral_has_passed_and_a_change_goes_with_the_next_batch() {
        try (StateStore store = StateStore.open(dir.resolve("mvmm.db"))) {
            HealthRepository health = new HealthRepository(store);
            long[] nanos = {0};
            StateWriter writer = writer(health, nanos);
            VmHealth first = checked("web");
            writer.add(VmHealth.fresh("web", NOW), first);
            writer.flushDue();
            VmHealth second = later(first, 2, Availability.UP);
            VmHealth third = later(second, 2, Availability.UP);
            writer.add(first, second);
            writer.add(second, third);

            nanos[0] = Duration.ofSeconds(9).toNanos();
            writer.flushDue();
            assertThat(health.load("web")).get().as("routine checks held back").extracting(VmHealth::checkedAt)
                    .isEqualTo(first.checkedAt());
            assertThat(writer.pending()).isEqualTo(1);

            nanos[0] = Duration.ofSeconds(10).toNanos();
            writer.flushDue();
            assertThat(health.load("web")).get().as("written as the last one once due")
                    .extracting(VmHealth::checkedAt).isEqualTo(third.checkedAt());
            assertThat(writer.pending()).isZero();

            VmHealth fourth = later(third, 2, Availability.UP);
            VmHealth down = later(fourth, 2, Availability.DOWN);
            writer.add(third, fourth);
            writer.add(fourth, down);
            writer.flushDue();
            assertThat(health.load("web")).get().as("a change supersedes what was held, at once")
                    .extracting(VmHealth::availability, VmHealth::checkedAt)
                    .containsExactly(Availability.DOWN, down.checkedAt());
            assertThat(health.transitions("web")).extracting(HealthRepository.Transition::availability)
                    .containsExactly(Availability.UP, Availability.DOWN);
            assertThat(writer.pending()).isZero();
        }
    }

    @Test
    void a_full_flush_writes_what_is_held_back() {
        try (StateStore store = StateStore.open(dir.resolve("mvmm.db"))) {
            HealthRepository health = new HealthRepository(store);
            StateWriter writer = writer(health, new long[] {0});
            VmHealth first = checked("web");
            VmHealth second = later(first, 2, Availability.UP);
            writer.add(VmHealth.fresh("web", NOW), first);
            writer.add(first, second);
            writer.flushDue();
            assertThat(writer.pending()).isEqualTo(1);

            writer.flush("db");
            assertThat(writer.pending()).as("nothing of db waits").isEqualTo(1);
            writer.flush("web");

            assertThat(writer.pending()).isZero();
            assertThat(health.load("web")).get().extracting(VmHealth::checkedAt).isEqualTo(second.checkedAt());
        }
    }

    @Test
    void after_another_process_wrote_held_check_times_are_dropped_and_changes_still_written() {
        try (StateStore store = StateStore.open(dir.resolve("mvmm.db"))) {
            HealthRepository health = new HealthRepository(store);
            StateWriter writer = writer(health, new long[] {0});
            VmHealth web = checked("web");
            VmHealth db = checked("db");
            writer.add(VmHealth.fresh("web", NOW), web);
            writer.add(VmHealth.fresh("db", NOW), db);
            writer.flush();
            writer.add(web, later(web, 2, Availability.UP));
            VmHealth down = later(db, 2, Availability.DOWN);
            writer.add(db, down);

            writer.dropRoutine();
            writer.flush();

            assertThat(writer.pending()).isZero();
            assertThat(health.load("web")).get().extracting(VmHealth::checkedAt).isEqualTo(web.checkedAt());
            assertThat(health.load("db")).get().extracting(VmHealth::availability).isEqualTo(Availability.DOWN);
        }
    }

    @Test
    void only_the_time_latency_and_wording_of_a_check_make_a_change_routine() {
        VmHealth first = checked("web");
        assertThat(StateWriter.routine(first, later(first, 2, Availability.UP))).isTrue();
        assertThat(StateWriter.routine(first, later(first, 2, Availability.DOWN))).isFalse();
        assertThat(StateWriter.routine(null, first)).isFalse();
        VmHealth.Builder failing = later(first, 2, Availability.UP).toBuilder();
        failing.failingSince = NOW;
        assertThat(StateWriter.routine(first, failing.build())).as("the failure's clock started").isFalse();
        VmHealth.Builder rebooted = later(first, 2, Availability.UP).toBuilder();
        rebooted.runId = "8";
        assertThat(StateWriter.routine(first, rebooted.build())).as("a new run").isFalse();
        assertThat(StateWriter.routine(first, later(first, 3601, Availability.UP)))
                .as("a gap that history records as unmonitored").isFalse();
    }

    private StateWriter writer(HealthRepository health, long[] nanos) {
        return new StateWriter(new VmCheck(new HealthServices(null, health, null, null, null, null, null,
                Clock.systemUTC(), null)), StateWriter.ROUTINE_DEFERRAL, () -> nanos[0]);
    }

    private static VmHealth later(VmHealth prior, long seconds, Availability availability) {
        VmHealth.Builder next = prior.toBuilder();
        next.checkedAt = prior.checkedAt().plusSeconds(seconds);
        next.availability = availability;
        next.detail = "port 80 " + (availability == Availability.UP ? "open" : "refused") + " after " + seconds + "s";
        next.latency = Duration.ofMillis(seconds);
        return next.build();
    }

    private static VmHealth checked(String vm) {
        VmHealth.Builder next = VmHealth.fresh(vm, NOW).toBuilder();
        next.checkedAt = NOW;
        next.availability = Availability.UP;
        next.verdict = "healthy";
        next.detail = "port 80 open";
        return next.build();
    }
}
