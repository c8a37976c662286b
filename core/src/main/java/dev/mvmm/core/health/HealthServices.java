package dev.mvmm.core.health;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.notify.Notifier;
import dev.mvmm.core.probe.Prober;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.MaintenanceRepository;
import java.time.Clock;

/** What a health check works with; tests pass a fake hypervisor and a fixed clock. */
public record HealthServices(Hypervisor hypervisor, HealthRepository health, MaintenanceRepository maintenance,
        VmLocks locks, Prober prober, Notifier notifier, Clock clock, Sleeper sleeper) {
}
