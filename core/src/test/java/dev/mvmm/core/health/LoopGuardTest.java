package dev.mvmm.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.store.VmHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop guard seen by patch and replicate, on a real SQLite state file. */
class LoopGuardTest {

    @TempDir
    Path dir;

    private static HealthSettings settings(int maxReboots) {
        return new HealthSettings("127.0.0.1", List.of(80), List.of(), Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(120), "reboot", maxReboots, Duration.ofHours(1),
                HealthSettings.Schedule.NONE);
    }

    @Test
    void power_cycles_by_any_command_count_within_the_window() {
        Instant now = Instant.parse("2026-11-21T12:00:00Z");
        try (StateStore store = StateStore.open(dir.resolve("mvmm.db"))) {
            HealthRepository health = new HealthRepository(store);
            assertThat(LoopGuard.refusal(health, "web", settings(2), now)).isNull();

            health.recordAction("web", now.minus(Duration.ofMinutes(90)), "power-cycle", "done", "old");
            health.recordAction("web", now.minus(Duration.ofMinutes(30)), "reboot", "done", "check");
            assertThat(LoopGuard.refusal(health, "web", settings(2), now)).as("one inside the window").isNull();

            health.recordAction("web", now.minus(Duration.ofMinutes(10)), "power-cycle", "done", "patch");
            assertThat(LoopGuard.refusal(health, "web", settings(2), now))
                    .contains("power-cycled 2 times within 1h (max_reboots=2)");
            assertThat(LoopGuard.refusal(health, "db", settings(2), now)).isNull();
        }
    }

    @Test
    void a_vm_on_hold_is_not_power_cycled() {
        Instant now = Instant.parse("2026-11-21T12:00:00Z");
        try (StateStore store = StateStore.open(dir.resolve("mvmm.db"))) {
            HealthRepository health = new HealthRepository(store);
            VmHealth.Builder held = VmHealth.fresh("web", now).toBuilder();
            held.hold = new VmHealth.Hold(now.minusSeconds(60), "3 reboots within 1h");
            health.save(held.build());

            assertThat(LoopGuard.refusal(health, "web", settings(3), now)).contains("web is on hold")
                    .contains("mvmm maintenance clear web");
        }
    }
}
