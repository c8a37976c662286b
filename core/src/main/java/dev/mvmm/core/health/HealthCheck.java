package dev.mvmm.core.health;

import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.lock.LockHolder;
import dev.mvmm.core.probe.PortResult;
import dev.mvmm.core.probe.PortTarget;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.MaintenanceRepository;
import dev.mvmm.core.store.VmHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * One pass of health checking ({@code mvmm check}): finish actions a killed run left half done,
 * skip what must not be touched, probe every remaining VM at once, decide with
 * {@link HealthPolicy}, act where due (VMs in parallel, each under its lock), record everything.
 */
public final class HealthCheck {

    private static final int LIST_ALL_FROM = 8;
    private static final int ACTION_THREADS = 8;

    private final HealthServices services;
    private final VmActions actions;
    private final ActionRunner runner;

    public HealthCheck(HealthServices services) {
        this.services = services;
        this.actions = new VmActions(services.hypervisor(), services.clock(), services.sleeper());
        this.runner = new ActionRunner(services, actions);
    }

    public CheckReport run(CheckRequest request) {
        Instant started = services.clock().instant();
        Map<String, VmStatus> onHost = statuses(request.vms());
        Map<String, VmHealth> states = services.health().loadAll();
        Set<String> inMaintenance = maintenanceScopes(started);
        Map<String, VmOutcome> outcomes = new LinkedHashMap<>();
        Map<String, VmHealth> updated = new HashMap<>();
        request.vms().forEach(vm -> outcomes.put(vm.name(), null));
        ExecutorService pool = Executors.newFixedThreadPool(ACTION_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "mvmm-action");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<VmConfig> toProbe = new ArrayList<>();
            completePending(request.vms(), onHost, states, pool, outcomes, updated);
            for (VmConfig vm : request.vms()) {
                if (outcomes.get(vm.name()) != null) {
                    continue;
                }
                VmHealth prior = updated.getOrDefault(vm.name(), states.getOrDefault(vm.name(),
                        VmHealth.fresh(vm.name(), started)));
                Optional<Verdict.Skipped> skip = skipReason(vm, onHost.get(vm.name()));
                if (skip.isPresent()) {
                    outcomes.put(vm.name(), outcome(vm, onHost.get(vm.name()), skip.get(), null));
                    if (skip.get().severity() != Severity.BUSY) {
                        updated.put(vm.name(), skipped(prior, skip.get(), onHost.get(vm.name()), started));
                    }
                } else {
                    toProbe.add(vm);
                }
            }
            Map<PortTarget, PortResult> results = probe(toProbe);
            Map<VmConfig, Future<ActionRunner.Result>> running = new LinkedHashMap<>();
            Map<String, VmStatus> probedStatus = new HashMap<>();
            for (VmConfig vm : toProbe) {
                HealthSettings settings = HealthSettings.from(vm.settings());
                VmStatus status = onHost.get(vm.name());
                VmHealth prior = updated.getOrDefault(vm.name(), states.getOrDefault(vm.name(),
                        VmHealth.fresh(vm.name(), started)));
                ProbeOutcome probe = settings.hasPorts() ? ProbeOutcome.of(settings, results)
                        : ProbeOutcome.runningOnly();
                boolean maintenance = inMaintenance.contains(MaintenanceRepository.GLOBAL)
                        || inMaintenance.contains(vm.name());
                int recentActions = probe.healthy() ? 0 : services.health().countActions(vm.name(),
                        started.minus(settings.rebootWindow()), ActionRunner.LOOP_GUARDED);
                HealthPolicy.Decision decision = HealthPolicy.decide(prior, new HealthPolicy.Observation(
                        status.runId(), probe, maintenance, recentActions, services.clock().instant()), settings);
                if (decision.actionDue() != null && !"none".equals(decision.actionDue())) {
                    running.put(vm, pool.submit(() -> runner.act(vm, status, prior, decision, settings)));
                    probedStatus.put(vm.name(), status);
                } else {
                    if ("none".equals(decision.actionDue()) || decision.verdict() instanceof Verdict.OnHold
                            && decision.next().hold() != null && prior.hold() == null) {
                        runner.announce(vm, decision.verdict());
                    }
                    updated.put(vm.name(), decision.next());
                    outcomes.put(vm.name(), outcome(vm, status, decision.verdict(), probe.latency()));
                }
            }
            for (Map.Entry<VmConfig, Future<ActionRunner.Result>> task : running.entrySet()) {
                VmConfig vm = task.getKey();
                try {
                    ActionRunner.Result result = join(task.getValue());
                    updated.put(result.state().vm(), result.state());
                    outcomes.put(result.state().vm(), result.outcome());
                } catch (RuntimeException e) {
                    // One VM's unexpected failure is that VM's problem; the pass goes on.
                    Logger.tag(vm.name()).error(e, "action failed unexpectedly");
                    outcomes.put(vm.name(), outcome(vm, probedStatus.get(vm.name()), new Verdict.ActionFailed(
                            "action", "unexpected failure: " + e.getMessage()), null));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        for (String name : request.unconfigured()) {
            outcomes.put(name, new VmOutcome(name, name, null, new Verdict.Skipped("no configuration file "
                    + name + ".conf; create one to have mvmm watch this VM", Severity.CONFIG,
                    Availability.UNMONITORED), null));
        }
        save(states, updated, started);
        List<VmOutcome> list = new ArrayList<>(outcomes.values());
        list.forEach(HealthCheck::log);
        return new CheckReport(started, Duration.between(started, services.clock().instant()), list);
    }

    private Map<String, VmStatus> statuses(List<VmConfig> vms) {
        if (vms.size() >= LIST_ALL_FROM) {
            return services.hypervisor().list();
        }
        Map<String, VmStatus> statuses = new HashMap<>();
        for (VmConfig vm : vms) {
            if (vm.isValid() && vm.isEnabled()) {
                services.hypervisor().status(vm.name()).ifPresent(status -> statuses.put(vm.name(), status));
            }
        }
        return statuses;
    }

    private Set<String> maintenanceScopes(Instant now) {
        return services.maintenance().active(now).stream().map(MaintenanceRepository.Window::scope)
                .collect(Collectors.toSet());
    }

    private void completePending(List<VmConfig> vms, Map<String, VmStatus> onHost, Map<String, VmHealth> states,
            ExecutorService pool, Map<String, VmOutcome> outcomes, Map<String, VmHealth> updated) {
        Map<VmConfig, Future<ActionRunner.Result>> running = new LinkedHashMap<>();
        for (VmConfig vm : vms) {
            VmHealth prior = states.get(vm.name());
            if (prior != null && prior.pending() != null && vm.isValid()) {
                HealthSettings settings = HealthSettings.from(vm.settings());
                running.put(vm, pool.submit(() -> runner.complete(vm, onHost.get(vm.name()), prior, settings)));
            }
        }
        for (Map.Entry<VmConfig, Future<ActionRunner.Result>> task : running.entrySet()) {
            ActionRunner.Result result;
            try {
                result = join(task.getValue());
            } catch (RuntimeException e) {
                VmConfig vm = task.getKey();
                Logger.tag(vm.name()).error(e, "cannot finish an interrupted action");
                outcomes.put(vm.name(), outcome(vm, onHost.get(vm.name()), new Verdict.ActionFailed("start",
                        "cannot finish an interrupted action: " + e.getMessage() + "; the next run tries again"),
                        null));
                continue;
            }
            updated.put(result.state().vm(), result.state());
            if (result.outcome() != null) {
                outcomes.put(result.state().vm(), result.outcome());
            } else if (result.status() != null) {
                onHost.put(result.state().vm(), result.status());
            }
        }
    }

    private Optional<Verdict.Skipped> skipReason(VmConfig vm, VmStatus status) {
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
        if (status.state() != PowerState.RUNNING) {
            Severity severity = status.state() == PowerState.CRASHED ? Severity.WARNING : Severity.OK;
            return Optional.of(new Verdict.Skipped(status.state().label() + ": left alone (mvmm never starts a VM "
                    + "someone else stopped)", severity, Availability.STOPPED));
        }
        Optional<LockHolder> holder = services.locks().holder(vm.name());
        if (holder.isPresent()) {
            return Optional.of(new Verdict.Skipped("busy: locked by " + holder.get(), Severity.BUSY, null));
        }
        return Optional.empty();
    }

    private static VmHealth skipped(VmHealth prior, Verdict.Skipped skip, VmStatus status, Instant now) {
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
            next.runId = status.runId();
        }
        return next.build();
    }

    private Map<PortTarget, PortResult> probe(List<VmConfig> vms) {
        List<PortTarget> targets = new ArrayList<>();
        for (VmConfig vm : vms) {
            targets.addAll(ProbeOutcome.targets(HealthSettings.from(vm.settings())));
        }
        return services.prober().probe(targets);
    }

    private void save(Map<String, VmHealth> before, Map<String, VmHealth> after, Instant now) {
        List<HealthRepository.Transition> transitions = new ArrayList<>();
        for (VmHealth state : after.values()) {
            VmHealth prior = before.get(state.vm());
            Availability was = prior == null ? null : prior.availability();
            if (state.availability() != null && state.availability() != was) {
                transitions.add(new HealthRepository.Transition(state.vm(), now, state.availability(),
                        state.detail()));
            }
        }
        services.health().save(after.values(), transitions, List.of());
    }

    private static VmOutcome outcome(VmConfig vm, VmStatus status, Verdict verdict, Duration latency) {
        return new VmOutcome(vm.name(), vm.displayName(), status == null ? null : status.state(), verdict, latency);
    }

    private static ActionRunner.Result join(Future<ActionRunner.Result> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while VMs were being acted on", e);
        }
    }

    private static void log(VmOutcome outcome) {
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
                Logger.tag(outcome.vm()).debug(line);
        }
    }
}
