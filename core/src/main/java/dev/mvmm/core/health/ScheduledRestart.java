package dev.mvmm.core.health;

import dev.mvmm.core.config.Durations;
import dev.mvmm.core.store.VmHealth;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;

/**
 * When a healthy VM is due for its scheduled restart ({@code restart_at}, {@code restart_after}).
 *
 * <p>The original fired {@code restart_at} at once whenever its monitor started after the time of
 * day (bug B1). Here a daily restart fires only when mvmm actually watched the VM across that
 * time: the previous check was before it and this one is at most a catch-up window after it
 * ({@code max(15m, 3 x check_interval)}). A time passed while mvmm was not running is skipped until
 * the next day. {@code restart_after} fires once the current run is that old.
 */
final class ScheduledRestart {

    private static final Duration MINIMUM_WINDOW = Duration.ofMinutes(15);

    private ScheduledRestart() {
    }

    /** A description of the schedule that is due, or {@code null}. */
    static String due(VmHealth prior, VmHealth.Builder next, HealthPolicy.Observation seen,
            HealthSettings.Schedule schedule) {
        if (next.hold != null) {
            return null;
        }
        Instant now = seen.now();
        if (schedule.restartAfter() != null && next.runStartedAt != null) {
            Duration up = Duration.between(next.runStartedAt, now);
            boolean recent = next.scheduledAt != null
                    && Duration.between(next.scheduledAt, now).compareTo(schedule.restartAfter()) < 0;
            if (up.compareTo(schedule.restartAfter()) >= 0 && !recent) {
                return "restart_after " + Durations.format(schedule.restartAfter()) + ", up "
                        + Durations.format(up);
            }
        }
        if (schedule.restartAt() != null && prior.verdict() != null && !"new".equals(prior.verdict())) {
            ZonedDateTime today = now.atZone(seen.zone()).with(schedule.restartAt());
            Instant target = (today.toInstant().isAfter(now) ? today.minusDays(1) : today).toInstant();
            Duration window = schedule.checkInterval().multipliedBy(3);
            if (window.compareTo(MINIMUM_WINDOW) < 0) {
                window = MINIMUM_WINDOW;
            }
            boolean watchedAcross = prior.checkedAt().isBefore(target);
            boolean alreadyDone = next.scheduledAt != null && !next.scheduledAt.isBefore(target);
            boolean inWindow = Duration.between(target, now).compareTo(window) <= 0;
            if (watchedAcross && !alreadyDone && inWindow) {
                return "restart_at " + schedule.restartAt();
            }
        }
        return null;
    }
}
