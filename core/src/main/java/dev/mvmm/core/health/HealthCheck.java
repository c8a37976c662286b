package dev.mvmm.core.health;

import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.probe.PortResult;
import dev.mvmm.core.probe.PortTarget;
import dev.mvmm.core.store.Availability;
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
    private final VmCheck steps;
    private final ActionRunner runner;
    private final PowerRepair power;

    public HealthCheck(HealthServices services) {
        this.services = services;
        this.steps = new VmCheck(services);
        this.runner = new ActionRunner(services, new VmActions(services.hypervisor(), services.clock(),
                services.sleeper()));
        this.power = new PowerRepair(services, runner);
    }

    public CheckReport run(CheckRequest request) {
        Instant started = services.clock().instant();
        Map<String, VmStatus> onHost = statuses(request.vms());
        Map<String, VmHealth> states = services.health().loadAll();
        Set<String> inMaintenance = services.maintenance().active(started).stream()
                .map(MaintenanceRepository.Window::scope).collect(Collectors.toSet());
        Map<String, VmOutcome> outcomes = new LinkedHashMap<>();
        Map<String, VmHealth> updated = new HashMap<>();
        request.vms().forEach(vm -> outcomes.put(vm.name(), null));
        ExecutorService pool = Executors.newFixedThreadPool(ACTION_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "mvmm-action");
            thread.setDaemon(true);
            return thread;
        });
        try {
            completePending(request.vms(), onHost, states, inMaintenance, pool, outcomes, updated);
            List<VmConfig> toProbe = new ArrayList<>();
            for (VmConfig vm : request.vms()) {
                if (outcomes.get(vm.name()) != null) {
                    continue;
                }
                VmStatus status = onHost.get(vm.name());
                Optional<Verdict.Skipped> skip = steps.skipReason(vm, status);
                if (skip.isPresent()) {
                    outcomes.put(vm.name(), VmCheck.outcome(vm, status, skip.get(), null));
                    VmHealth state = steps.skipped(prior(vm, states, updated, started), skip.get(), status, started);
                    if (state != null) {
                        updated.put(vm.name(), state);
                    }
                } else {
                    toProbe.add(vm);
                }
            }
            Map<PortTarget, PortResult> results = probe(toProbe);
            Map<VmConfig, Future<ActionRunner.Result>> running = new LinkedHashMap<>();
            for (VmConfig vm : toProbe) {
                HealthSettings settings = HealthSettings.from(vm.settings());
                VmStatus status = onHost.get(vm.name());
                VmHealth prior = prior(vm, states, updated, started);
                ProbeOutcome probe = settings.hasPorts() ? ProbeOutcome.of(settings, results)
                        : ProbeOutcome.runningOnly();
                boolean maintenance = inMaintenance.contains(MaintenanceRepository.GLOBAL)
                        || inMaintenance.contains(vm.name());
                HealthPolicy.Decision decision = steps.decide(vm, status, prior, probe, maintenance, settings);
                if (VmCheck.needsRunner(decision)) {
                    running.put(vm, pool.submit(() -> runner.act(vm, status, prior, decision, settings)));
                } else {
                    if (VmCheck.worthAnnouncing(prior, decision)) {
                        runner.announce(vm, decision.verdict());
                    }
                    updated.put(vm.name(), decision.next());
                    outcomes.put(vm.name(), VmCheck.outcome(vm, status, decision.verdict(), probe.latency()));
                }
            }
            collect(running, onHost, outcomes, updated);
        } finally {
            pool.shutdownNow();
        }
        for (String name : request.unconfigured()) {
            outcomes.put(name, new VmOutcome(name, name, null, new Verdict.Skipped("no configuration file "
                    + name + ".conf; create one to have mvmm watch this VM", Severity.CONFIG,
                    Availability.UNMONITORED), null));
        }
        steps.save(states, updated.values());
        List<VmOutcome> list = new ArrayList<>(outcomes.values());
        list.forEach(VmCheck::log);
        return new CheckReport(started, Duration.between(started, services.clock().instant()), list);
    }

    private static VmHealth prior(VmConfig vm, Map<String, VmHealth> states, Map<String, VmHealth> updated,
            Instant now) {
        return updated.getOrDefault(vm.name(), states.getOrDefault(vm.name(), VmHealth.fresh(vm.name(), now)));
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

    /**
     * Finishes what killed runs left: a VM whose power another operation changed and did not put
     * back (its power marker), or a check's own action cut off half way (its pending marker).
     */
    private void completePending(List<VmConfig> vms, Map<String, VmStatus> onHost, Map<String, VmHealth> states,
            Set<String> inMaintenance, ExecutorService pool, Map<String, VmOutcome> outcomes,
            Map<String, VmHealth> updated) {
        Map<VmConfig, Future<ActionRunner.Result>> running = new LinkedHashMap<>();
        for (VmConfig vm : vms) {
            VmHealth prior = states.get(vm.name());
            VmStatus status = onHost.get(vm.name());
            Optional<dev.mvmm.core.power.PowerMarker> marker;
            try {
                marker = power.marker(vm, status);
            } catch (dev.mvmm.core.power.PowerMarkerException e) {
                outcomes.put(vm.name(), VmCheck.outcome(vm, status, new Verdict.Skipped(e.getMessage(),
                        Severity.WARNING, Availability.UNMONITORED), null));
                continue;
            }
            if (marker.isPresent()) {
                boolean maintenance = inMaintenance.contains(MaintenanceRepository.GLOBAL)
                        || inMaintenance.contains(vm.name());
                VmHealth last = prior != null ? prior : VmHealth.fresh(vm.name(), services.clock().instant());
                running.put(vm, pool.submit(() -> power.repair(vm, status, last, maintenance)));
            } else if (prior != null && prior.pending() != null && vm.isValid()) {
                HealthSettings settings = HealthSettings.from(vm.settings());
                running.put(vm, pool.submit(() -> runner.complete(vm, onHost.get(vm.name()), prior, settings)));
            }
        }
        for (Map.Entry<VmConfig, Future<ActionRunner.Result>> task : running.entrySet()) {
            VmConfig vm = task.getKey();
            try {
                ActionRunner.Result result = join(task.getValue());
                updated.put(vm.name(), result.state());
                if (result.outcome() != null) {
                    outcomes.put(vm.name(), result.outcome());
                } else if (result.status() != null) {
                    onHost.put(vm.name(), result.status());
                } else {
                    onHost.remove(vm.name());
                }
            } catch (RuntimeException e) {
                Logger.tag(vm.name()).error(e, "cannot finish an interrupted action");
                outcomes.put(vm.name(), VmCheck.outcome(vm, onHost.get(vm.name()), new Verdict.ActionFailed("start",
                        "cannot finish an interrupted action: " + e.getMessage() + "; the next run tries again"),
                        null));
            }
        }
    }

    private void collect(Map<VmConfig, Future<ActionRunner.Result>> running, Map<String, VmStatus> onHost,
            Map<String, VmOutcome> outcomes, Map<String, VmHealth> updated) {
        for (Map.Entry<VmConfig, Future<ActionRunner.Result>> task : running.entrySet()) {
            VmConfig vm = task.getKey();
            try {
                ActionRunner.Result result = join(task.getValue());
                updated.put(vm.name(), result.state());
                outcomes.put(vm.name(), result.outcome());
            } catch (RuntimeException e) {
                // One VM's unexpected failure is that VM's problem; the pass goes on.
                Logger.tag(vm.name()).error(e, "action failed unexpectedly");
                outcomes.put(vm.name(), VmCheck.outcome(vm, onHost.get(vm.name()), new Verdict.ActionFailed("action",
                        "unexpected failure: " + e.getMessage()), null));
            }
        }
    }

    private Map<PortTarget, PortResult> probe(List<VmConfig> vms) {
        List<PortTarget> targets = new ArrayList<>();
        for (VmConfig vm : vms) {
            targets.addAll(ProbeOutcome.targets(HealthSettings.from(vm.settings())));
        }
        return services.prober().probe(targets);
    }

    static ActionRunner.Result join(Future<ActionRunner.Result> future) {
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
}
