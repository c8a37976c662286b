package dev.mvmm.cli.render;

import dev.mvmm.core.health.CheckReport;
import dev.mvmm.core.health.VmOutcome;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A check report as an aligned table, one line per VM. */
public final class CheckTable {

    private CheckTable() {
    }

    public static void print(CheckReport report, PrintWriter out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VM", "POWER", "RESULT", "LATENCY", "DETAIL"});
        for (VmOutcome outcome : report.outcomes()) {
            String name = outcome.displayName().equals(outcome.vm()) ? outcome.vm()
                    : outcome.vm() + " (" + outcome.displayName() + ")";
            rows.add(new String[] {name, outcome.power() == null ? "-" : outcome.power().label(),
                outcome.verdict().kind(), Text.latency(outcome.latency()), outcome.verdict().detail()});
        }
        if (report.outcomes().isEmpty()) {
            out.println("no VMs configured");
        } else {
            Text.table(rows).forEach(out::println);
        }
        out.flush();
    }
}
