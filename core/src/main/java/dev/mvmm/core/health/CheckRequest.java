package dev.mvmm.core.health;

import dev.mvmm.core.config.VmConfig;
import java.util.List;

/**
 * A pass to run: the VMs selected (in order) and the names asked for that have no configuration.
 */
public record CheckRequest(List<VmConfig> vms, List<String> unconfigured) {

    public CheckRequest {
        vms = List.copyOf(vms);
        unconfigured = List.copyOf(unconfigured);
    }
}
