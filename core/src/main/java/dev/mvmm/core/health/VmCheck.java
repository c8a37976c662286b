package dev.mvmm.core.health;

import dev.mvmm.core.config.Durations;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.lock.LockHolder;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.VmHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * The steps of checking one VM, shared by {@code check} (all VMs in one pass) and {@code monitor}
 * (each VM on its own schedule), so both decide alike and keep the same state.
 */
final class VmCheck {

    private final HealthServices services;
    private final Function<String, Optional<LockHolder>> holders;
    private final RecentActions recentActions;

    /** How many loop-guarded actions a VM had at or after an instant. */
    interface RecentActions {
        int since(String vm, Instant since);
    }

    VmCheck(HealthServices services) {
        this(services, vm -> services.locks().holder(vm),
                (vm, since) -> services.health().countActions(vm, since, ActionRunner.LOOP_GUARDED));
    }

    /**
     * @param holders who holds a VM's lock ({@code monitor} asks a {@link dev.mvmm.core.lock.LockSurvey})
     * @param recentActions the loop guard's count ({@code monitor} remembers the actions it read)
     */
    VmCheck(HealthServices services, Function<String, Optional<LockHolder>> holders, RecentActions recentActions) {
        this.services = services;
        this.holders = holders;
        this.recentActions = recentActions;
    }

    /** Why a VM is not probed now, or empty when it should be. */
    Optional<Verdict.Skipped> skipReason(VmConfig vm, VmStatus status) {
        if (!vm.isValid()) {
            String problems = vm.problems().stream().filter(p -> p.isError()).map(Object::toString)
                    .collect(Collectors.joining("; "));
            return Optional.of(new Verdict.Skipped("configuration invalid, VM not checked: " + problems,
                    Severity.CONFIG, Availability.UNMONITORED));
        }
        if (!vm.isEnabled()) {
            return Optional.of(new Verdict.Skipped("disabled (enabled=false)", Severity.OK, Availability.UNMONITORED));
        }
        if (status == null) {
            return Optional.of(new Verdict.Skipped("not on this host (" + services.hypervisor().describe() + ")",
                    Severity.OK, Availability.ABSENT));
        }
        if (status.state() == PowerState.MIGRATING || status.state() == PowerState.LOCKED) {
            return Optional.of(new Verdict.Skipped(status.state().label() + " by the hypervisor: left alone",
                    Severity.OK, Availability.STOPPED));
        }
        if (status.state() != PowerState.RUNNING) {
            Severity severity = status.state() == PowerState.CRASHED ? Severity.WARNING : Severity.OK;
            return Optional.of(new Verdict.Skipped(status.state().label() + ": left alone (mvmm never starts a VM "
                    + "someone else stopped)", severity, Availability.STOPPED));
        }
        Optional<LockHolder> holder = holders.apply(vm.name());
        if (holder.isPresent()) {
            return Optional.of(new Verdict.Skipped("busy: locked by " + holder.get(), Severity.BUSY, null));
        }
        return Optional.empty();
    }

    /** The state to record for a skipped VM; {@code null} when nothing should change (busy). */
    VmHealth skipped(VmHealth prior, Verdict.Skipped skip, VmStatus status, Instant now) {
        if (skip.severity() == Severity.BUSY) {
            return null;
        }
        VmHealth.Builder next = prior.toBuilder();
        next.checkedAt = now;
        next.availability = skip.availability();
        next.verdict = skip.kind();
        next.detail = skip.reason();
        next.latency = null;
        if (skip.availability() != Availability.UP && skip.availability() != Availability.DOWN) {
            next.healthySince = null;
        }
        if (status != null && status.runId() != null) {
            if (!status.runId().equals(prior.runId()) || next.runStartedAt == null) {
                next.runStartedAt = status.startedAt() != null ? status.startedAt() : now;
            }
            next.runId = status.runId();
        }
        return next.build();
    }

    /** Applies the decision rules to a probed VM. */
    HealthPolicy.Decision decide(VmConfig vm, VmStatus status, VmHealth prior, ProbeOutcome probe,
            boolean maintenance, HealthSettings settings) {
        Instant now = services.clock().instant();
        int guarded = probe.healthy() ? 0 : recentActions.since(vm.name(), now.minus(settings.rebootWindow()));
        return HealthPolicy.decide(prior, new HealthPolicy.Observation(status.runId(), status.startedAt(), probe,
                maintenance, guarded, now, services.clock().getZone()), settings);
    }

    /** Whether a decision is carried out by the action runner rather than recorded at once. */
    static boolean needsRunner(HealthPolicy.Decision decision) {
        return decision.actionDue() != null && !"none".equals(decision.actionDue());
    }

    /** Whether a decision recorded at once should still be announced (action=none, new hold, release). */
    static boolean worthAnnouncing(VmHealth prior, HealthPolicy.Decision decision) {
        if ("none".equals(decision.actionDue())) {
            return true;
        }
        if (decision.verdict() instanceof Verdict.OnHold) {
            return decision.next().hold() != null && prior.hold() == null;
        }
        return prior.hold() != null && decision.next().hold() == null;
    }

    /**
     * Longer than this without a check, a VM's availability in between is unknown: the gap is
     * recorded as unmonitored rather than stretched over by the last state. Any timer or cron
     * schedule checks far more often; a host that was off, or a clock set forward, does not.
     */
    static final Duration UNWATCHED_GAP = Duration.ofHours(1);

    /**
     * Saves states with a transition wherever availability changed, and a 'hold' or
     * 'hold-released' record wherever the loop guard's hold began or ended (stats counts them).
     */
    void save(Map<String, VmHealth> before, Collection<VmHealth> after) {
        save(after.stream().map(state -> new StateWriter.Change(before.get(state.vm()), state)).toList());
    }

    /** Saves changes in order (a VM may appear more than once: each step gets its transition). */
    void save(List<StateWriter.Change> changes) {
        List<VmHealth> after = new java.util.ArrayList<>(changes.size());
        List<HealthRepository.Transition> transitions = new java.util.ArrayList<>();
        List<HealthRepository.ActionRecord> holds = new java.util.ArrayList<>();
        for (StateWriter.Change change : changes) {
            VmHealth state = change.next();
            VmHealth prior = change.prior();
            after.add(state);
            Availability was = prior == null ? null : prior.availability();
            if (state.availability() != null && was != null && prior.checkedAt() != null
                    && Duration.between(prior.checkedAt(), state.checkedAt()).compareTo(UNWATCHED_GAP) > 0) {
                // Nobody looked (host off, timer stopped, clock jumped ahead): not uptime, not downtime.
                transitions.add(new HealthRepository.Transition(state.vm(), prior.checkedAt(),
                        Availability.UNMONITORED, "no check for " + Durations.format(Duration.between(
                                prior.checkedAt(), state.checkedAt()))));
                was = Availability.UNMONITORED;
            }
            if (state.availability() != null && state.availability() != was) {
                transitions.add(new HealthRepository.Transition(state.vm(), state.checkedAt(), state.availability(),
                        state.detail()));
            }
            boolean held = prior != null && prior.hold() != null;
            if (state.hold() != null && !held) {
                holds.add(new HealthRepository.ActionRecord(state.vm(), state.checkedAt(), "hold", "on",
                        state.hold().reason()));
            } else if (state.hold() == null && held) {
                holds.add(new HealthRepository.ActionRecord(state.vm(), state.checkedAt(), "hold-released", "ok",
                        state.detail()));
            }
        }
        services.health().save(after, transitions, holds);
    }

    static VmOutcome outcome(VmConfig vm, VmStatus status, Verdict verdict, Duration latency) {
        String display = vm.displayName();
        if (display.equals(vm.name()) && status != null && status.label() != null) {
            display = status.label();
        }
        return new VmOutcome(vm.name(), display, status == null ? null : status.state(), verdict, latency);
    }

    static void log(VmOutcome outcome) {
        Verdict verdict = outcome.verdict();
        String line = verdict.kind() + ": " + verdict.detail();
        switch (verdict.severity()) {
            case CRITICAL:
            case CONFIG:
                Logger.tag(outcome.vm()).error(line);
                break;
            case WARNING:
            case BUSY:
                Logger.tag(outcome.vm()).warn(line);
                break;
            default:
                if (verdict instanceof Verdict.Restarted) {
                    Logger.tag(outcome.vm()).info(line);
                } else {
                    Logger.tag(outcome.vm()).debug(line);
                }
        }
    }
}
