package dev.mvmm.core.backup;

import dev.mvmm.core.domain.DomainXml;
import dev.mvmm.core.health.LoopGuard;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.Stopper;
import java.time.Duration;
import org.tinylog.Logger;

/**
 * {@code restart_if_required} for backups. The one case where only a restart makes a backup possible:
 * on a libvirt or QEMU too old to have incremental backup built in, the definition declares the
 * capability ({@code mvmm patch} added it) but the running VM was started before. With the key set,
 * the VM is power-cycled (graceful shutdown, hard stop after wait_time, start), within the loop guard
 * and counted by it; without it, the backup fails saying what to do. Nothing else a backup meets
 * needs a restart: shut-off VMs are started paused, and stale bitmaps of running VMs are removed
 * through libvirt.
 */
final class CapabilityRestart {

    private CapabilityRestart() {
    }

    /**
     * Returns the definition the VM runs with once incremental backups are possible, power-cycling it
     * if allowed and needed; throws {@link BackupException} saying why not and what to do otherwise.
     */
    static String ensure(BackupServices services, String vm, BackupSettings settings, boolean running, String xml) {
        long[] versions = services.hypervisor().versions();
        String problem = IncrementalSupport.problem(versions[0], versions[1], vm, xml);
        if (problem == null) {
            return xml;
        }
        boolean declared = running && DomainXml.parse(services.hypervisor().inactiveDefinition(vm))
                .declaresIncrementalBackup();
        if (!declared) {
            throw new BackupException(problem);
        }
        if (!settings.restartIfRequired()) {
            throw new BackupException(problem.substring(0, problem.indexOf(" needs ")) + " need the capability in the "
                    + "running VM: its definition declares it, but it was started before; it needs a power cycle. "
                    + "Set restart_if_required=true to let mvmm backup do it, or run 'mvmm patch --restart " + vm + "'");
        }
        if (services.health() == null || settings.health() == null) {
            throw new BackupException(problem);
        }
        String refusal = LoopGuard.refusal(services.health(), vm, settings.health(), services.clock().instant());
        if (refusal != null) {
            throw new BackupException("needs a power cycle for incremental backups (restart_if_required=true), "
                    + "but not now: " + refusal);
        }
        Duration wait = settings.waitTime() == null ? Duration.ofMinutes(1) : settings.waitTime();
        String story = new Stopper(services.hypervisor(), services.clock(), services.sleeper()).stop(vm, wait);
        try {
            services.hypervisor().start(vm);
        } catch (HypervisorException e) {
            services.health().recordAction(vm, services.clock().instant(), "power-cycle", "failed", "backup: " + story
                    + "; start failed: " + e.getMessage());
            throw e;
        }
        services.health().recordAction(vm, services.clock().instant(), "power-cycle", "done", "backup "
                + "(restart_if_required): " + story + "; started");
        Logger.tag(vm).warn("power-cycled so that it runs with the incremental-backup capability "
                + "(restart_if_required=true): {}; started", story);
        String live = services.hypervisor().definition(vm);
        String still = IncrementalSupport.problem(versions[0], versions[1], vm, live);
        if (still != null) {
            throw new BackupException("power-cycled (restart_if_required=true), but the running VM still lacks the "
                    + "capability: " + still);
        }
        return live;
    }
}
