package dev.mvmm.core.health;

import dev.mvmm.core.backup.Backups;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.lock.VmLock;
import dev.mvmm.core.power.PowerMarker;
import dev.mvmm.core.power.PowerRestore;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.VmHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * Finishes what another mvmm operation left: a VM whose power state a backup, an in-place restore,
 * {@code replicate --shutdown-source} or {@code patch --restart} changed, and that was cut off before
 * putting it back. Only under the VM's lock, so never while that operation (or its next run) still
 * works on the VM; never in maintenance. Recorded as an action for {@code stats} and announced.
 */
final class PowerRepair {

    /** Beyond wait_time, how long a guest asked to shut down by the cut-off run may take to go down. */
    private static final Duration MARGIN = Duration.ofSeconds(30);

    private final HealthServices services;
    private final ActionRunner runner;

    PowerRepair(HealthServices services, ActionRunner runner) {
        this.services = services;
        this.runner = runner;
    }

    /**
     * The VM's marker, if it has one (a VM with a broken configuration is left to the operator). Markers of earlier mvmm versions (in backup_path) are taken over
     * only for a VM that does not run: for any other they mean nothing, and backup_path may be a slow mount.
     */
    Optional<PowerMarker> marker(VmConfig vm, VmStatus status) {
        if (services.markers() == null || !vm.isValid() || !dev.mvmm.core.VmNames.isSafe(vm.name())) {
            return Optional.empty();
        }
        boolean legacy = status != null && status.state() != PowerState.RUNNING;
        Path backupPath = legacy ? BackupSettings.from(vm.settings()).backupPath() : null;
        return services.markers().read(vm.name(), backupPath);
    }

    /** Puts the VM back as its marker says; an outcome of {@code null} means: go on and check it as usual. */
    ActionRunner.Result repair(VmConfig vm, VmStatus status, VmHealth prior, boolean maintenance) {
        Optional<VmLock> lock = services.locks().tryLock(vm.name(), "check");
        if (lock.isEmpty()) {
            String holder = services.locks().holder(vm.name()).map(Object::toString).orElse("another mvmm process");
            return new ActionRunner.Result(prior, VmCheck.outcome(vm, status, new Verdict.Skipped("busy: locked by "
                    + holder + ", which changed its power state and puts it back", Severity.BUSY,
                    prior.availability()), null), status);
        }
        try (VmLock held = lock.get()) {
            // Read again under the lock: the operation may have put the VM back and let the lock go meanwhile.
            PowerMarker marker = services.markers().read(vm.name()).orElse(null);
            VmStatus current = services.hypervisor().confirm(vm.name()).orElse(null);
            if (marker == null) {
                return new ActionRunner.Result(prior, null, current);
            }
            Instant now = services.clock().instant();
            VmHealth.Builder next = prior.toBuilder();
            next.checkedAt = now;
            if (maintenance && current != null && current.state() != marker.restoreTo()) {
                return skipped(vm, current, next, new Verdict.Skipped(current.state().label() + " since "
                        + marker.describe() + " was cut off; in maintenance, so put back "
                        + marker.restoreTo().label() + " only once maintenance ends", Severity.WARNING,
                        Availability.MAINTENANCE));
            }
            Duration grace = BackupSettings.from(vm.settings()).waitTime().plus(MARGIN);
            PowerRestore.Result result;
            try {
                result = new PowerRestore(services.hypervisor(), services.markers(), Backups::runningBackup,
                        services.clock()).restore(marker, grace);
            } catch (HypervisorException e) {
                services.health().recordAction(vm.name(), now, "start", "failed", "after " + marker.describe()
                        + ": " + e.getMessage());
                Verdict verdict = new Verdict.ActionFailed(marker.restoreTo() == PowerState.RUNNING ? "start"
                        : "shut-off", "cannot put the VM back " + marker.restoreTo().label() + " after "
                        + marker.describe() + ": " + e.getMessage() + "; the next run tries again");
                ActionRunner.finish(next, verdict);
                runner.announce(vm, verdict);
                return new ActionRunner.Result(next.build(), VmCheck.outcome(vm, current, verdict, null), current);
            }
            VmStatus after = services.hypervisor().status(vm.name()).orElse(null);
            switch (result.change()) {
                case STARTED:
                    return started(vm, after, next, result, now);
                case SHUT_OFF:
                    services.health().recordAction(vm.name(), now, "shut-off", "ok", result.story());
                    return skipped(vm, after, next, new Verdict.Skipped(result.story(), Severity.WARNING,
                            Availability.STOPPED));
                case LATER:
                    return skipped(vm, after, next, new Verdict.Skipped(result.story(),
                            result.marker().disksInFlux() ? Severity.CRITICAL : Severity.OK,
                            prior.availability() == null ? Availability.STOPPED : prior.availability()));
                default:
                    Logger.tag(vm.name()).info("power marker removed: {}", result.story());
                    return new ActionRunner.Result(prior, null, after);
            }
        }
    }

    private ActionRunner.Result started(VmConfig vm, VmStatus after, VmHealth.Builder next, PowerRestore.Result result,
            Instant now) {
        services.health().recordAction(vm.name(), now, "start", "ok", result.story());
        ActionRunner.recovered(next, after, services.clock().instant(), HealthSettings.from(vm.settings()));
        next.lastAction = new VmHealth.LastAction("start", now, "ok");
        Verdict verdict = new Verdict.ActionTaken("started", result.story());
        ActionRunner.finish(next, verdict);
        runner.announce(vm, verdict);
        return new ActionRunner.Result(next.build(), VmCheck.outcome(vm, after, verdict, null), after);
    }

    private static ActionRunner.Result skipped(VmConfig vm, VmStatus status, VmHealth.Builder next,
            Verdict.Skipped verdict) {
        ActionRunner.finish(next, verdict);
        return new ActionRunner.Result(next.build(), VmCheck.outcome(vm, status, verdict, null), status);
    }
}
