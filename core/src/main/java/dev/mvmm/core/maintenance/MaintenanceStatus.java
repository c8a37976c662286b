package dev.mvmm.core.maintenance;

import dev.mvmm.core.store.MaintenanceRepository.Window;
import dev.mvmm.core.store.VmHealth;

/**
 * What {@code maintenance status} shows for one VM: its own window, the host's, and its hold.
 * Any part may be {@code null}.
 */
public record MaintenanceStatus(String vm, Window own, Window global, VmHealth.Hold hold) {

    public boolean inMaintenance() {
        return own != null || global != null;
    }
}
