package dev.mvmm.core.health;

import dev.mvmm.core.config.Durations;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.VmHealth;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The decision rules of a check, as a pure function of the VM's previous state, this check's
 * observation and the time. No I/O happens here, so every rule is testable to the second.
 *
 * <ul>
 *   <li>A VM whose run changed (someone stopped and started it) gets {@code recovery_time} of
 *       grace, as it does after mvmm's own action; failures in the grace do not count.</li>
 *   <li>The {@code fail_threshold} clock starts at the first failed probe outside maintenance and
 *       grace, and stops only after the VM has answered continuously for {@code fail_threshold}
 *       again, so a flapping service cannot dodge it.</li>
 *   <li>Past the threshold the action is due, unless the loop guard says that more than
 *       {@code max_reboots} actions in {@code reboot_window} would be taken: then the VM goes on
 *       hold, until cleared or healthy for a whole {@code reboot_window}.</li>
 * </ul>
 */
public final class HealthPolicy {

    /** Marks the verdict of the check that released a hold, so it can be announced. */
    static final String HOLD_RELEASED = "hold released";

    private HealthPolicy() {
    }

    /** What a check observed. {@code actionsInWindow} counts this VM's actions in the loop-guard window. */
    public record Observation(String runId, Instant runStartedAt, ProbeOutcome probe, boolean maintenance,
            int actionsInWindow, Instant now, ZoneId zone) {

        public Observation(String runId, ProbeOutcome probe, boolean maintenance, int actionsInWindow, Instant now) {
            this(runId, null, probe, maintenance, actionsInWindow, now, ZoneOffset.UTC);
        }
    }

    /** The action a scheduled restart takes; it does not count towards the loop guard. */
    public static final String SCHEDULED = "scheduled-reboot";

    /**
     * The new state and the verdict; when {@code actionDue} is set the verdict is provisional and
     * the caller performs the action and then reports how it went.
     */
    public record Decision(VmHealth next, Verdict verdict, String actionDue) {
    }

    public static Decision decide(VmHealth prior, Observation seen, HealthSettings settings) {
        Instant now = seen.now();
        VmHealth.Builder next = prior.toBuilder();
        next.checkedAt = now;
        if (prior.checkedAt() != null && now.isBefore(prior.checkedAt())) {
            clockSetBack(next, now, settings);
        }
        next.latency = seen.probe().latency();
        boolean newRun = prior.runId() != null && seen.runId() != null && !prior.runId().equals(seen.runId());
        // Back from another host, or started again: a run id alone could repeat across hosts.
        boolean returned = prior.availability() == Availability.ABSENT || prior.availability() == Availability.STOPPED;
        if (newRun || returned) {
            // Restarted by someone else, or arrived by migration: its services are entitled to settle.
            next.recoveryUntil = now.plus(settings.recoveryTime());
            next.failingSince = null;
        }
        if (seen.runId() != null && (!seen.runId().equals(prior.runId()) || next.runStartedAt == null)) {
            next.runStartedAt = seen.runStartedAt() != null ? seen.runStartedAt() : now;
        }
        next.runId = seen.runId();
        return seen.probe().healthy() ? healthy(prior, next, seen, settings) : failing(next, seen, settings);
    }

    /**
     * The clock is behind the last check: times recorded ahead of it would stall the threshold, the
     * recovery grace, a hold's release and scheduled restarts until the clock caught up (a year, for a
     * clock set a year ahead by mistake). They are brought back to now: the threshold counts again
     * from now, a grace lasts at most its length from now.
     */
    private static void clockSetBack(VmHealth.Builder next, Instant now, HealthSettings settings) {
        next.failingSince = notAfter(next.failingSince, now);
        next.healthySince = notAfter(next.healthySince, now);
        next.runStartedAt = notAfter(next.runStartedAt, now);
        next.scheduledAt = notAfter(next.scheduledAt, now);
        next.recoveryUntil = notAfter(next.recoveryUntil, now.plus(settings.recoveryTime()));
        if (next.hold != null && next.hold.since().isAfter(now)) {
            next.hold = new VmHealth.Hold(now, next.hold.reason());
        }
    }

    private static Instant notAfter(Instant at, Instant limit) {
        return at != null && at.isAfter(limit) ? limit : at;
    }

    private static Decision healthy(VmHealth prior, VmHealth.Builder next, Observation seen,
            HealthSettings settings) {
        Instant now = seen.now();
        if (next.healthySince == null) {
            next.healthySince = now;
        }
        next.recoveryUntil = null;
        Duration healthyFor = Duration.between(next.healthySince, now);
        if (next.failingSince != null && healthyFor.compareTo(settings.failThreshold()) >= 0) {
            next.failingSince = null;
        }
        String detail = seen.probe().detail();
        if (next.hold != null) {
            if (healthyFor.compareTo(settings.rebootWindow()) >= 0) {
                next.hold = null;
                detail += "; " + HOLD_RELEASED + " after " + Durations.format(healthyFor) + " healthy";
            } else {
                Verdict hold = new Verdict.OnHold("healthy, on hold since " + next.hold.since() + " ("
                        + next.hold.reason() + "); released after healthy for "
                        + Durations.format(settings.rebootWindow().minus(healthyFor)) + " more, or by "
                        + "'mvmm maintenance clear'", false);
                return finish(next, hold, null);
            }
        }
        String scheduled = seen.maintenance() ? null : ScheduledRestart.due(prior, next, seen, settings);
        if (scheduled != null) {
            return finish(next, new Verdict.Healthy(detail + "; scheduled restart due (" + scheduled + ")", false),
                    SCHEDULED);
        }
        return finish(next, new Verdict.Healthy(detail + (seen.maintenance() ? " (maintenance)" : ""),
                seen.maintenance()), null);
    }

    private static Decision failing(VmHealth.Builder next, Observation seen, HealthSettings settings) {
        Instant now = seen.now();
        next.healthySince = null;
        String probe = seen.probe().detail();
        if (seen.maintenance()) {
            // Maintenance does not run the threshold clock: afterwards the VM gets a full threshold.
            next.failingSince = null;
            return finish(next, new Verdict.Failing(probe + "; maintenance: no action", true), null);
        }
        if (next.recoveryUntil != null && now.isBefore(next.recoveryUntil)) {
            return finish(next, new Verdict.Failing(probe + "; recovering, failures count in "
                    + Durations.format(Duration.between(now, next.recoveryUntil)), false), null);
        }
        next.recoveryUntil = null;
        if (next.failingSince == null) {
            next.failingSince = now;
        }
        Duration failingFor = Duration.between(next.failingSince, now);
        if (failingFor.compareTo(settings.failThreshold()) < 0) {
            return finish(next, new Verdict.Failing(probe + "; failing for " + Durations.format(failingFor) + " of "
                    + Durations.format(settings.failThreshold()), false), null);
        }
        String failedFor = "failing for " + Durations.format(failingFor);
        if (next.hold != null) {
            return finish(next, new Verdict.OnHold(probe + "; " + failedFor + "; on hold since " + next.hold.since()
                    + ": no action until 'mvmm maintenance clear " + next.vm() + "' or healthy for "
                    + Durations.format(settings.rebootWindow()), true), null);
        }
        if ("none".equals(settings.action())) {
            // Nothing to do but say so; the clock restarts so the reminder comes once per threshold.
            next.failingSince = now;
            return finish(next, new Verdict.ActionTaken("notified", probe + "; " + failedFor + "; action=none"),
                    "none");
        }
        if (seen.actionsInWindow() >= settings.maxReboots()) {
            next.hold = new VmHealth.Hold(now, seen.actionsInWindow() + " actions within "
                    + Durations.format(settings.rebootWindow()));
            return finish(next, new Verdict.OnHold(probe + "; " + failedFor + "; put on hold: "
                    + next.hold.reason() + " (max_reboots=" + settings.maxReboots() + ")", true), null);
        }
        return finish(next, new Verdict.Failing(probe + "; " + failedFor + "; " + settings.action() + " due", false),
                settings.action());
    }

    private static Decision finish(VmHealth.Builder next, Verdict verdict, String actionDue) {
        next.verdict = verdict.kind();
        next.detail = verdict.detail();
        next.availability = verdict.availability();
        return new Decision(next.build(), verdict, actionDue);
    }
}
