package dev.mvmm.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.store.VmHealth;
import java.nio.file.Path;
import java.time.Clock;
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

    private static VmHealth checked(String vm) {
        VmHealth.Builder next = VmHealth.fresh(vm, NOW).toBuilder();
        next.checkedAt = NOW;
        next.availability = Availability.UP;
        next.verdict = "healthy";
        next.detail = "port 80 open";
        return next.build();
    }
}
