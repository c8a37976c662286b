package dev.mvmm.core.health;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.notify.Notifier;
import dev.mvmm.core.power.PowerMarkers;
import dev.mvmm.core.probe.Prober;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.MaintenanceRepository;
import java.time.Clock;

/**
 * What a health check works with; tests pass a fake hypervisor and a fixed clock.
 *
 * @param markers what other operations changed of VMs' power and a cut-off left for the check to put back
 */
public record HealthServices(Hypervisor hypervisor, HealthRepository health, MaintenanceRepository maintenance,
        VmLocks locks, PowerMarkers markers, Prober prober, Notifier notifier, Clock clock, Sleeper sleeper) {
}
