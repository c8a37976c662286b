package dev.mvmm.core.backup;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.notify.Notifier;
import dev.mvmm.core.power.PowerMarkers;
import java.time.Clock;

/** What a backup run works with. */
public record BackupServices(Hypervisor hypervisor, Tools tools, VmLocks locks, PowerMarkers markers,
        BackupRepository records, Notifier notifier, Clock clock, Sleeper sleeper) {
}
