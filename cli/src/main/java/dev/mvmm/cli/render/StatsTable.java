package dev.mvmm.cli.render;

import dev.mvmm.core.config.Durations;
import dev.mvmm.core.stats.BackupSummary;
import dev.mvmm.core.stats.StatsReport;
import dev.mvmm.core.stats.Timeline;
import dev.mvmm.core.stats.VmStats;
import dev.mvmm.core.store.Availability;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Statistics as an aligned table, one line per VM. */
public final class StatsTable {

    private StatsTable() {
    }

    public static void print(StatsReport report, PrintWriter out) {
        out.println("window: " + report.since().truncatedTo(ChronoUnit.SECONDS) + " to "
                + report.until().truncatedTo(ChronoUnit.SECONDS) + " ("
                + Durations.format(Duration.between(report.since(), report.until())) + ")");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VM", "NOW", "AVAILABILITY", "UP", "DOWN", "MAINT", "STOPPED", "UNKNOWN", "OUTAGES",
            "MTTR", "ACTIONS", "HOLDS", "LAST BACKUP"});
        for (VmStats vm : report.vms()) {
            Timeline.Totals totals = vm.totals();
            String name = vm.name().equals(vm.vm()) ? vm.vm() : vm.vm() + " (" + vm.name() + ")";
            rows.add(new String[] {name + label(vm), now(vm), ratio(totals),
                time(totals.of(Availability.UP)), time(totals.of(Availability.DOWN)),
                time(totals.of(Availability.MAINTENANCE)),
                time(totals.of(Availability.STOPPED).plus(totals.of(Availability.ABSENT))), time(totals.unknown()),
                Integer.toString(totals.outages()),
                totals.meanTimeToRecovery() == null ? "-" : Durations.format(totals.meanTimeToRecovery()),
                actions(vm), Integer.toString(vm.holds()), backup(vm.backup(), report.until())});
        }
        if (report.vms().isEmpty()) {
            out.println("no VMs configured and no history recorded");
        } else {
            // One write: println flushes, and a host of 1,000 VMs is 1,000 lines.
            String newline = System.lineSeparator();
            out.print(String.join(newline, Text.table(rows)) + newline);
        }
        out.flush();
    }

    /** Not configured: removed if it was ever checked, otherwise unknown (a name given that mvmm never saw). */
    private static String label(VmStats vm) {
        if (vm.configured()) {
            return "";
        }
        return vm.current() == null ? " [unknown]" : " [removed]";
    }

    private static String now(VmStats vm) {
        if (vm.current() == null) {
            return "never checked";
        }
        String state = vm.current().verdict();
        return vm.current().hold() != null ? state + " (on hold)" : state;
    }

    static String ratio(Timeline.Totals totals) {
        long up = totals.of(Availability.UP).toMillis();
        long down = totals.of(Availability.DOWN).toMillis();
        return up + down == 0 ? "-" : percent(up, up + down);
    }

    /**
     * {@code part / whole} as a percentage with three decimals, rounded half up: worked out on the
     * milliseconds themselves (exact, and a 1,000-VM table's ratios no longer cost 10-30 ms of
     * {@code BigDecimal} and double-to-text work before the JIT has compiled them).
     */
    static String percent(long part, long whole) {
        // Thousandths of a percent; no overflow below 2^63 / 200,000 ms of window (1,400 years).
        long scaled = (part * 200_000 + whole) / (2 * whole);
        long fraction = scaled % 1000;
        return (scaled / 1000) + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction + "%";
    }

    private static String time(Duration duration) {
        return duration.isZero() ? "0" : Durations.format(duration);
    }

    private static String actions(VmStats vm) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Integer> action : vm.actions().entrySet()) {
            String kind = action.getKey();
            if (!kind.startsWith("hold") && !kind.equals("clear")) {
                text.append(text.length() == 0 ? "" : ",").append(kind).append('=').append(action.getValue());
            }
        }
        return text.length() == 0 ? "0" : text.toString();
    }

    private static String backup(BackupSummary backup, Instant now) {
        if (backup == null) {
            return "none";
        }
        Instant at = backup.finishedAt() != null ? backup.finishedAt() : backup.startedAt();
        return backup.result() + " " + backup.level() + " " + Durations.format(Duration.between(at, now)) + " ago"
                + (backup.bytes() == null ? "" : ", " + bytes(backup.bytes())) + ", chain " + backup.chainLength()
                + ", archived " + backup.archivedChains()
                + (backup.lastSyncResult() == null ? "" : ", off-site " + backup.lastSyncResult())
                + (backup.lastRestoreResult() == null ? "" : ", restore " + backup.lastRestoreResult()
                        + (backup.lastRestoreAt() == null ? "" : " "
                                + Durations.format(Duration.between(backup.lastRestoreAt(), now)) + " ago"));
    }

    private static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    }
}
