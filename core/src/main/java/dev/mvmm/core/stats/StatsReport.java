package dev.mvmm.core.stats;

import java.time.Instant;
import java.util.List;

/** Statistics of several VMs over one window, {@code [since, until)}. */
public record StatsReport(Instant since, Instant until, List<VmStats> vms) {

    public StatsReport {
        vms = List.copyOf(vms);
    }
}
