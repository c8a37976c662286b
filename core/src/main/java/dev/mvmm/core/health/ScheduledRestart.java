package dev.mvmm.core.health;

import dev.mvmm.core.config.Durations;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.VmHealth;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * When a healthy VM is due for its scheduled restart ({@code restart_at}, {@code restart_after}).
 *
 * <p>The original fired {@code restart_at} at once whenever its monitor started after the time of
 * day (bug B1). Here a daily restart fires only when mvmm actually watched the VM, running, across
 * that time: the previous check was before it, at most {@link #watchedGap} before this one, and
 * found the VM running (up, failing or in maintenance). A time passed while mvmm was not running
 * (even a restart of mvmm from 02:59 to 03:05), while the VM was on another node or stopped, or
 * before mvmm first saw it is skipped until the next day. {@code restart_after} fires once the
 * current run is that old.
 */
final class ScheduledRestart {

    /** States in which the previous check saw the VM running on this host. */
    private static final Set<Availability> RUNNING = EnumSet.of(Availability.UP, Availability.DOWN,
            Availability.MAINTENANCE);

    private ScheduledRestart() {
    }

    /** A description of the schedule that is due, or {@code null}. */
    static String due(VmHealth prior, VmHealth.Builder next, HealthPolicy.Observation seen,
            HealthSettings settings) {
        HealthSettings.Schedule schedule = settings.schedule();
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
        if (schedule.restartAt() != null && prior.checkedAt() != null && RUNNING.contains(prior.availability())) {
            ZonedDateTime today = now.atZone(seen.zone()).with(schedule.restartAt());
            Instant target = (today.toInstant().isAfter(now) ? today.minusDays(1) : today).toInstant();
            boolean watchedAcross = prior.checkedAt().isBefore(target)
                    && Duration.between(prior.checkedAt(), now).compareTo(watchedGap(settings)) <= 0;
            boolean alreadyDone = next.scheduledAt != null && !next.scheduledAt.isBefore(target);
            if (watchedAcross && !alreadyDone) {
                return "restart_at " + schedule.restartAt();
            }
        }
        return null;
    }

    /**
     * The longest gap between two checks that still counts as watching: two check intervals (one
     * missed tick), plus the longest a healthy probe can take. A timer or cron schedule that checks
     * less often than {@code check_interval} should set it to its own period.
     */
    static Duration watchedGap(HealthSettings settings) {
        return settings.schedule().checkInterval().multipliedBy(2).plus(settings.connectTimeout());
    }
}
