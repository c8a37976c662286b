package dev.mvmm.core.backup;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.notify.Notifier;
import dev.mvmm.core.store.HealthRepository;
import java.time.Clock;

/**
 * What a backup run works with.
 *
 * @param health where power cycles are recorded and counted by the loop guard; null: none is made
 */
public record BackupServices(Hypervisor hypervisor, Tools tools, VmLocks locks, BackupRepository records,
        Notifier notifier, Clock clock, Sleeper sleeper, HealthRepository health) {

    /** Services under which a backup never power-cycles a VM. */
    public BackupServices(Hypervisor hypervisor, Tools tools, VmLocks locks, BackupRepository records,
            Notifier notifier, Clock clock, Sleeper sleeper) {
        this(hypervisor, tools, locks, records, notifier, clock, sleeper, null);
    }
}
