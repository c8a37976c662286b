package dev.mvmm.core.health;

import dev.mvmm.core.config.Durations;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.lock.VmLock;
import dev.mvmm.core.notify.Event;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.VmHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.tinylog.Logger;

/**
 * Takes the actions a check decided on, each under the VM's lock and with a pending marker
 * committed first, and finishes actions that a killed run left half done.
 */
final class ActionRunner {

    /** Actions the loop guard counts: the ones that disturb the guest. */
    static final List<String> LOOP_GUARDED = LoopGuard.GUARDED;

    /** A reboot younger than this (beyond wait_interval) may still have a guest shutting down. */
    private static final Duration RESUME_MARGIN = Duration.ofSeconds(30);

    private final HealthServices services;
    private final VmActions actions;

    ActionRunner(HealthServices services, VmActions actions) {
        this.services = services;
        this.actions = actions;
    }

    /** The VM's new state, its outcome ({@code null}: go on checking it) and its fresh status. */
    record Result(VmHealth state, VmOutcome outcome, VmStatus status) {
    }

    Result act(VmConfig vm, VmStatus status, VmHealth prior, HealthPolicy.Decision decision, HealthSettings settings) {
        String action = decision.actionDue();
        Optional<VmLock> lock = services.locks().tryLock(vm.name(), "check");
        if (lock.isEmpty()) {
            return busy(vm, status, prior);
        }
        try (VmLock held = lock.get()) {
            VmHealth latest = services.health().load(vm.name()).orElse(prior);
            if (actedSince(prior, latest)) {
                return new Result(latest, outcome(vm, status, new Verdict.Skipped("another mvmm process acted on "
                        + "it at " + latest.lastAction().at() + "; leaving it to recover", Severity.OK,
                        Availability.DOWN), null), status);
            }
            Optional<VmStatus> confirmed = services.hypervisor().confirm(vm.name());
            if (confirmed.isEmpty() || !confirmed.get().isRunning()
                    || !java.util.Objects.equals(confirmed.get().runId(), status.runId())) {
                String now = confirmed.map(c -> c.state().label() + (c.isRunning() ? " (restarted meanwhile)" : ""))
                        .orElse("gone from this host");
                return new Result(latest, outcome(vm, confirmed.orElse(null), new Verdict.Skipped(now
                        + " when about to " + action + ": left alone", Severity.OK,
                        confirmed.isEmpty() ? Availability.ABSENT : Availability.STOPPED), null),
                        confirmed.orElse(null));
            }
            Instant begun = services.clock().instant();
            VmHealth.Builder pending = decision.next().toBuilder();
            pending.pending = new VmHealth.Pending(action, begun, status.runId());
            // The check read maintenance before probing (the monitor, up to half a second before):
            // a window switched on since then is seen here, in the transaction that begins the action.
            OptionalLong begin = services.health().beginActionOutsideMaintenance(pending.build(), action, begun);
            if (begin.isEmpty()) {
                return maintenanceBegan(vm, status, decision);
            }
            long id = begin.getAsLong();
            if (HealthPolicy.SCHEDULED.equals(action)) {
                Logger.tag(vm.name()).info("{}: scheduled restart now", vm.displayName());
            } else {
                Logger.tag(vm.name()).error("{}: {}; {} now", vm.displayName(), decision.verdict().detail(), action);
            }
            return perform(vm, status, decision, settings, pending, id);
        }
    }

    /** Maintenance was switched on after the check looked: no action and, as in maintenance, no threshold clock. */
    private Result maintenanceBegan(VmConfig vm, VmStatus status, HealthPolicy.Decision decision) {
        VmHealth.Builder next = decision.next().toBuilder();
        next.failingSince = null;
        String detail = decision.verdict().detail() + "; maintenance began meanwhile: no action";
        Verdict verdict = HealthPolicy.SCHEDULED.equals(decision.actionDue()) ? new Verdict.Healthy(detail, true)
                : new Verdict.Failing(detail, true);
        finish(next, verdict);
        Logger.tag(vm.name()).info("{}: {}", vm.displayName(), detail);
        return new Result(next.build(), outcome(vm, status, verdict, null), status);
    }

    private Result perform(VmConfig vm, VmStatus status, HealthPolicy.Decision decision, HealthSettings settings,
            VmHealth.Builder next, long id) {
        String action = next.pending.action();
        String probe = decision.verdict().detail();
        try {
            String story;
            if ("reset".equals(action)) {
                actions.reset(vm.name());
                story = "hard reset";
            } else {
                story = actions.reboot(vm.name(), settings.waitInterval());
            }
            Instant done = services.clock().instant();
            VmStatus after = actions.status(vm.name()).orElse(status);
            recovered(next, after, done, settings);
            next.lastAction = new VmHealth.LastAction(action, done, "ok");
            services.health().finishAction(id, "ok", story);
            String word = "reset".equals(action) ? "reset" : HealthPolicy.SCHEDULED.equals(action) ? "restarted"
                    : "rebooted";
            if (HealthPolicy.SCHEDULED.equals(action)) {
                next.scheduledAt = done;
            }
            Verdict verdict = HealthPolicy.SCHEDULED.equals(action)
                    ? new Verdict.Restarted(probe.replace("; scheduled restart due", "; scheduled restart") + "; "
                            + story)
                    : new Verdict.ActionTaken(word, probe + "; " + story);
            finish(next, verdict);
            announce(vm, verdict);
            return new Result(next.build(), outcome(vm, after, verdict, null), after);
        } catch (HypervisorException e) {
            Instant failed = services.clock().instant();
            VmStatus now = actions.status(vm.name()).orElse(null);
            if (now == null || now.state() != PowerState.SHUT_OFF) {
                next.pending = null;
            }
            next.lastAction = new VmHealth.LastAction(action, failed, "failed: " + e.getMessage());
            services.health().finishAction(id, "failed", e.getMessage());
            Verdict verdict = new Verdict.ActionFailed(action, probe + "; " + e.getMessage()
                    + (next.pending != null ? "; the next run will start it again" : ""));
            finish(next, verdict);
            announce(vm, verdict);
            return new Result(next.build(), outcome(vm, now, verdict, null), now);
        }
    }

    /**
     * A pending marker means a run was killed in the middle of an action. A VM mvmm stopped is
     * started; a reboot whose guest may still be shutting down is carried on; otherwise the marker
     * is dropped and the VM is checked as usual ({@code outcome == null}).
     */
    Result complete(VmConfig vm, VmStatus status, VmHealth prior, HealthSettings settings) {
        Optional<VmLock> lock = services.locks().tryLock(vm.name(), "check");
        if (lock.isEmpty()) {
            return busy(vm, status, prior);
        }
        try (VmLock held = lock.get()) {
            // Looked at again under the lock: the caller's look may predate the end of the very action
            // whose marker this is, taken by another mvmm process that has just let the lock go.
            VmStatus current = services.hypervisor().confirm(vm.name()).orElse(null);
            VmHealth.Pending pending = prior.pending();
            VmHealth.Builder next = prior.toBuilder();
            Instant now = services.clock().instant();
            next.checkedAt = now;
            next.pending = null;
            String since = "the " + pending.action() + " begun at " + pending.since();
            // The killed run's own record of the action: finished here, never counted a second time.
            java.util.OptionalLong begun = services.health().interruptedAction(vm.name(), pending.action());
            if (current == null) {
                Logger.tag(vm.name()).warn("VM disappeared from this host during {}; nothing to finish", since);
                begun.ifPresent(id -> services.health().finishAction(id, "interrupted", "cut off; the VM then "
                        + "disappeared from this host"));
                return new Result(next.build(), null, null);
            }
            if (current.state() == PowerState.SHUT_OFF && !"reset".equals(pending.action())) {
                return startStopped(vm, next, since, settings, begun);
            }
            boolean sameRun = current.runId() != null && current.runId().equals(pending.runId());
            boolean young = now.isBefore(pending.since().plus(settings.waitInterval()).plus(RESUME_MARGIN));
            if (current.isRunning() && sameRun && young && pending.action().endsWith("reboot")) {
                Logger.tag(vm.name()).warn("resuming {}, interrupted before the VM went down", since);
                next.pending = pending;
                long id = begun.isPresent() ? begun.getAsLong()
                        : services.health().beginAction(next.build(), pending.action());
                return perform(vm, current, new HealthPolicy.Decision(next.build(), new Verdict.Failing(
                        "resuming " + since, false), pending.action()), settings, next, id);
            }
            if (!sameRun && current.isRunning()) {
                recovered(next, current, now, settings);
                begun.ifPresent(id -> services.health().finishAction(id, "ok", "the VM runs again as a new run; "
                        + "the run that took the action was cut off before recording its end"));
            } else {
                begun.ifPresent(id -> services.health().finishAction(id, "interrupted", "cut off; the VM was left "
                        + current.state().label()));
            }
            return new Result(next.build(), null, current);
        }
    }

    private Result startStopped(VmConfig vm, VmHealth.Builder next, String since, HealthSettings settings,
            java.util.OptionalLong begun) {
        Logger.tag(vm.name()).warn("VM is off after {} was interrupted; starting it", since);
        long id = services.health().beginAction(withPending(next, "start"), "start");
        try {
            actions.start(vm.name());
            Instant done = services.clock().instant();
            VmStatus after = actions.status(vm.name()).orElse(null);
            recovered(next, after, done, settings);
            next.lastAction = new VmHealth.LastAction("start", done, "ok");
            services.health().finishAction(id, "ok", "finished " + since);
            begun.ifPresent(interrupted -> services.health().finishAction(interrupted, "interrupted",
                    "cut off with the VM stopped; the next run started it"));
            Verdict verdict = new Verdict.ActionTaken("started", "finished " + since
                    + ": started the VM mvmm had stopped");
            finish(next, verdict);
            announce(vm, verdict);
            return new Result(next.build(), outcome(vm, after, verdict, null), after);
        } catch (HypervisorException e) {
            next.pending = new VmHealth.Pending("start", services.clock().instant(), null);
            services.health().finishAction(id, "failed", e.getMessage());
            Verdict verdict = new Verdict.ActionFailed("start", "cannot finish " + since + ": " + e.getMessage()
                    + "; the next run tries again");
            finish(next, verdict);
            announce(vm, verdict);
            return new Result(next.build(), outcome(vm, null, verdict, null), null);
        }
    }

    private static VmHealth withPending(VmHealth.Builder next, String action) {
        VmHealth.Pending saved = next.pending;
        next.pending = new VmHealth.Pending(action, next.checkedAt, null);
        VmHealth state = next.build();
        next.pending = saved;
        return state;
    }

    /** After a (re)start: a new run, a fresh grace, no failure clock. */
    static void recovered(VmHealth.Builder next, VmStatus status, Instant now, HealthSettings settings) {
        next.pending = null;
        next.runId = status == null ? null : status.runId();
        next.runStartedAt = status == null ? null : status.startedAt() != null ? status.startedAt() : now;
        next.recoveryUntil = now.plus(settings.recoveryTime());
        next.failingSince = null;
        next.healthySince = null;
        next.checkedAt = now;
    }

    /** Tells the VM's notify_command about an outcome worth telling; others are ignored. */
    void announce(VmConfig vm, Verdict verdict) {
        String type;
        Event.Level level = Event.Level.CRITICAL;
        if (verdict instanceof Verdict.Restarted) {
            type = "scheduled-restart";
            level = Event.Level.INFO;
        } else if (verdict instanceof Verdict.ActionTaken) {
            String action = ((Verdict.ActionTaken) verdict).action();
            type = "notified".equals(action) ? "failure" : "rebooted".equals(action) ? "reboot" : action;
            level = Event.Level.WARNING;
        } else if (verdict instanceof Verdict.OnHold) {
            type = "hold";
        } else if (verdict instanceof Verdict.ActionFailed) {
            type = "action-failed";
        } else if (verdict instanceof Verdict.Healthy && verdict.detail().contains(HealthPolicy.HOLD_RELEASED)) {
            type = "hold-released";
            level = Event.Level.INFO;
        } else {
            return;
        }
        try {
            services.notifier().notify(new Event(type, vm.name(), level, vm.displayName() + ": " + verdict.detail()));
        } catch (RuntimeException e) {
            Logger.tag(vm.name()).warn("notification failed: {}", e.getMessage());
        }
    }

    private static boolean actedSince(VmHealth prior, VmHealth latest) {
        if (latest.lastAction() == null) {
            return false;
        }
        return prior.lastAction() == null || latest.lastAction().at().isAfter(prior.lastAction().at());
    }

    private Result busy(VmConfig vm, VmStatus status, VmHealth prior) {
        String holder = services.locks().holder(vm.name()).map(Object::toString).orElse("another mvmm process");
        return new Result(prior, outcome(vm, status, new Verdict.Skipped("busy: locked by " + holder, Severity.BUSY,
                prior.availability()), null), status);
    }

    static void finish(VmHealth.Builder next, Verdict verdict) {
        next.verdict = verdict.kind();
        next.detail = verdict.detail();
        next.availability = verdict.availability();
    }

    private static VmOutcome outcome(VmConfig vm, VmStatus status, Verdict verdict, Duration latency) {
        return VmCheck.outcome(vm, status, verdict, latency);
    }

    static String format(Duration duration) {
        return Durations.format(duration);
    }
}
