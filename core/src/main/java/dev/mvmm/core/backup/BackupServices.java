package dev.mvmm.core.backup;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.notify.Notifier;
import dev.mvmm.core.power.PowerMarkers;
import dev.mvmm.core.store.HealthRepository;
import java.time.Clock;

/**
 * What a backup run works with.
 *
 * @param markers where a VM whose power a backup changes is noted (so a cut-off run is put right)
 * @param health  where power cycles are recorded and counted by the loop guard; null: none is made
 */
public record BackupServices(Hypervisor hypervisor, Tools tools, VmLocks locks, PowerMarkers markers,
        BackupRepository records, Notifier notifier, Clock clock, Sleeper sleeper, HealthRepository health) {

    /** Services under which a backup never power-cycles a VM. */
    public BackupServices(Hypervisor hypervisor, Tools tools, VmLocks locks, PowerMarkers markers,
            BackupRepository records, Notifier notifier, Clock clock, Sleeper sleeper) {
        this(hypervisor, tools, locks, markers, records, notifier, clock, sleeper, null);
    }
}
