package dev.mvmm.cli.render;

import dev.mvmm.core.MvmmException;
import dev.mvmm.core.config.Durations;
import dev.mvmm.core.stats.BackupSummary;
import dev.mvmm.core.stats.StatsReport;
import dev.mvmm.core.stats.Timeline;
import dev.mvmm.core.stats.VmStats;
import dev.mvmm.core.store.Availability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Statistics in the Prometheus text format for node_exporter's textfile collector: {@code mvmm_}
 * prefix, base units (seconds, bytes, ratios), {@code _total} counters, {@code _timestamp_seconds}
 * times. The file is written beside its final name and renamed, so the collector never reads half
 * of it.
 */
public final class StatsPrometheus {

    private final Map<String, String[]> help = new LinkedHashMap<>();
    private final Map<String, List<String>> samples = new LinkedHashMap<>();

    private StatsPrometheus() {
    }

    /** The file could not be written. */
    public static final class WriteFailure extends MvmmException {
        WriteFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static void write(StatsReport report, Path file, String command) {
        if (Files.isDirectory(file)) {
            // Likely node_exporter's textfile directory: it reads the *.prom files in it.
            throw new WriteFailure("cannot write " + file + ": it is a directory; give a file in it, e.g. "
                    + file.resolve("mvmm.prom"), null);
        }
        String text = render(report);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp." + ProcessHandle.current().pid());
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // The first error is the one to report.
            }
            throw new WriteFailure("cannot write " + file + ": " + e.getMessage()
                    + "; check that its directory exists and is writable", e);
        }
    }

    static String render(StatsReport report) {
        StatsPrometheus metrics = new StatsPrometheus();
        String window = Durations.format(Duration.between(report.since(), report.until()));
        metrics.define("mvmm_stats_generated_timestamp_seconds", "gauge", "When these statistics were computed.");
        metrics.sample("mvmm_stats_generated_timestamp_seconds", "", seconds(report.until()));
        metrics.define("mvmm_stats_window_seconds", "gauge", "Length of the window of the *_window metrics.");
        metrics.sample("mvmm_stats_window_seconds", "", Duration.between(report.since(), report.until()).toSeconds());
        for (VmStats vm : report.vms()) {
            String labels = "vm=\"" + escape(vm.vm()) + "\",name=\"" + escape(vm.name()) + "\"";
            String windowed = labels + ",window=\"" + window + "\"";
            metrics.vm(vm, labels, windowed, report.until());
        }
        return metrics.text();
    }

    private void vm(VmStats vm, String labels, String windowed, Instant now) {
        define("mvmm_vm_configured", "gauge", "1 if the VM has a configuration file, 0 if only its history is left.");
        sample("mvmm_vm_configured", labels, vm.configured() ? 1 : 0);
        if (vm.current() != null) {
            define("mvmm_vm_up", "gauge", "1 if the VM answered its probes at the last check.");
            sample("mvmm_vm_up", labels, vm.current().availability() == Availability.UP ? 1 : 0);
            define("mvmm_vm_state", "gauge", "1 for the VM's availability at the last check.");
            for (Availability availability : Availability.values()) {
                sample("mvmm_vm_state", labels + ",state=\"" + lower(availability) + "\"",
                        vm.current().availability() == availability ? 1 : 0);
            }
            define("mvmm_vm_on_hold", "gauge", "1 if the loop guard holds the VM.");
            sample("mvmm_vm_on_hold", labels, vm.current().hold() != null ? 1 : 0);
            define("mvmm_vm_last_check_timestamp_seconds", "gauge", "Time of the VM's last check.");
            sample("mvmm_vm_last_check_timestamp_seconds", labels, seconds(vm.current().checkedAt()));
        }
        Timeline.Totals totals = vm.totals();
        define("mvmm_vm_window_seconds", "gauge", "Time in each availability state within the window.");
        for (Availability availability : Availability.values()) {
            sample("mvmm_vm_window_seconds", windowed + ",state=\"" + lower(availability) + "\"",
                    totals.of(availability).toMillis() / 1000.0);
        }
        sample("mvmm_vm_window_seconds", windowed + ",state=\"unknown\"", totals.unknown().toMillis() / 1000.0);
        if (totals.availabilityRatio() != null) {
            define("mvmm_vm_availability_ratio", "gauge", "Up time over up plus down time within the window.");
            sample("mvmm_vm_availability_ratio", windowed, totals.availabilityRatio());
        }
        define("mvmm_vm_window_outages", "gauge", "Outages overlapping the window.");
        sample("mvmm_vm_window_outages", windowed, totals.outages());
        if (totals.meanTimeToRecovery() != null) {
            define("mvmm_vm_mean_time_to_recovery_seconds", "gauge", "Mean time to recovery within the window.");
            sample("mvmm_vm_mean_time_to_recovery_seconds", windowed, totals.meanTimeToRecovery().toMillis() / 1000.0);
        }
        define("mvmm_vm_outages_total", "counter", "Outages recorded since the VM was first seen.");
        sample("mvmm_vm_outages_total", labels, vm.outagesTotal());
        define("mvmm_vm_actions_total", "counter", "Actions taken on the VM since it was first seen, by kind.");
        for (Map.Entry<String, Long> action : vm.actionTotals().entrySet()) {
            sample("mvmm_vm_actions_total", labels + ",action=\"" + escape(action.getKey()) + "\"", action.getValue());
        }
        BackupSummary backup = vm.backup();
        if (backup != null) {
            Instant at = backup.finishedAt() != null ? backup.finishedAt() : backup.startedAt();
            define("mvmm_vm_last_backup_timestamp_seconds", "gauge", "Time of the VM's last backup attempt.");
            sample("mvmm_vm_last_backup_timestamp_seconds", labels + ",level=\"" + escape(backup.level()) + "\"",
                    seconds(at));
            define("mvmm_vm_last_backup_success", "gauge", "1 if the last backup succeeded.");
            sample("mvmm_vm_last_backup_success", labels, "ok".equals(backup.result()) ? 1 : 0);
            if (backup.bytes() != null) {
                define("mvmm_vm_last_backup_size_bytes", "gauge", "Size of the last backup.");
                sample("mvmm_vm_last_backup_size_bytes", labels, backup.bytes());
            }
            define("mvmm_vm_backup_chain_length", "gauge", "Backups in the VM's current chain.");
            sample("mvmm_vm_backup_chain_length", labels, backup.chainLength());
            define("mvmm_vm_backup_archived_chains", "gauge", "Archived chains kept for the VM.");
            sample("mvmm_vm_backup_archived_chains", labels, backup.archivedChains());
            if (backup.lastSyncResult() != null) {
                define("mvmm_vm_last_sync_success", "gauge", "1 if the last off-site copy succeeded.");
                sample("mvmm_vm_last_sync_success", labels, "ok".equals(backup.lastSyncResult()) ? 1 : 0);
                if (backup.lastSyncAt() != null) {
                    define("mvmm_vm_last_sync_timestamp_seconds", "gauge", "Time of the last off-site copy.");
                    sample("mvmm_vm_last_sync_timestamp_seconds", labels, seconds(backup.lastSyncAt()));
                }
            }
            if (backup.lastRestoreResult() != null) {
                define("mvmm_vm_last_restore_success", "gauge", "1 if the last restore succeeded.");
                sample("mvmm_vm_last_restore_success", labels, "ok".equals(backup.lastRestoreResult()) ? 1 : 0);
                if (backup.lastRestoreAt() != null) {
                    define("mvmm_vm_last_restore_timestamp_seconds", "gauge", "Time of the last restore.");
                    sample("mvmm_vm_last_restore_timestamp_seconds", labels, seconds(backup.lastRestoreAt()));
                }
            }
        }
    }

    private void define(String name, String type, String text) {
        help.putIfAbsent(name, new String[] {type, text});
        samples.computeIfAbsent(name, n -> new ArrayList<>());
    }

    private void sample(String name, String labels, double value) {
        String number = value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.6f", value);
        samples.get(name).add(name + (labels.isEmpty() ? "" : "{" + labels + "}") + " " + number);
    }

    private String text() {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, List<String>> metric : samples.entrySet()) {
            String[] meta = help.get(metric.getKey());
            text.append("# HELP ").append(metric.getKey()).append(' ').append(meta[1]).append('\n');
            text.append("# TYPE ").append(metric.getKey()).append(' ').append(meta[0]).append('\n');
            metric.getValue().forEach(line -> text.append(line).append('\n'));
        }
        return text.toString();
    }

    private static double seconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }

    private static String lower(Availability availability) {
        return availability.name().toLowerCase(Locale.ROOT);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
