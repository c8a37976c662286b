package dev.mvmm.cli.render;

import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.core.health.CheckReport;
import dev.mvmm.core.health.Severity;
import dev.mvmm.core.health.VmOutcome;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A check report as one monitoring-plugins line: {@code MVMM STATE - summary | perfdata}, with
 * exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
public final class CheckNagios {

    private static final int OK = 0;
    private static final int WARNING = 1;
    private static final int CRITICAL = 2;
    private static final int UNKNOWN = 3;
    private static final String[] NAMES = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

    private CheckNagios() {
    }

    public static int print(CheckReport report, PrintWriter out) {
        int state = state(report);
        List<String> problems = new ArrayList<>();
        for (VmOutcome outcome : report.outcomes()) {
            Severity severity = outcome.verdict().severity();
            if (severity != Severity.OK && severity != Severity.BUSY) {
                problems.add(outcome.vm() + " " + outcome.verdict().kind());
            }
        }
        long healthy = report.outcomes().stream().filter(o -> "healthy".equals(o.verdict().kind())).count();
        String summary = problems.isEmpty()
                ? report.outcomes().size() + " VMs checked, " + healthy + " healthy"
                : String.join(", ", problems) + " (" + healthy + " of " + report.outcomes().size() + " healthy)";
        StringBuilder perfdata = new StringBuilder();
        perfdata.append("vms=").append(report.outcomes().size()).append(";;;0");
        perfdata.append(" healthy=").append(healthy).append(";;;0");
        perfdata.append(" warning=").append(report.count(Severity.WARNING)).append(";;;0");
        perfdata.append(" critical=").append(report.count(Severity.CRITICAL)).append(";;;0");
        for (VmOutcome outcome : report.outcomes()) {
            if (outcome.latency() != null) {
                perfdata.append(" '").append(outcome.vm().replace("'", "")).append("_time'=")
                        .append(String.format(Locale.ROOT, "%.6fs", outcome.latency().toNanos() / 1e9))
                        .append(";;;0");
            }
        }
        out.println("MVMM " + NAMES[state] + " - " + summary + " | " + perfdata);
        out.flush();
        return state;
    }

    /** mvmm itself could not run the check (configuration, hypervisor, state). */
    public static int unknown(Exception error, ExitStatus status, PrintWriter out) {
        out.println("MVMM UNKNOWN - " + error.getMessage().replace('\n', ' ') + " (exit " + status.code() + ")");
        out.flush();
        return UNKNOWN;
    }

    private static int state(CheckReport report) {
        if (report.count(Severity.CRITICAL) > 0) {
            return CRITICAL;
        }
        if (report.count(Severity.WARNING) > 0) {
            return WARNING;
        }
        if (report.count(Severity.CONFIG) > 0) {
            return UNKNOWN;
        }
        return OK;
    }
}
