package dev.mvmm.cli.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mvmm.core.stats.BackupSummary;
import dev.mvmm.core.stats.StatsReport;
import dev.mvmm.core.stats.Timeline;
import dev.mvmm.core.stats.VmStats;
import dev.mvmm.core.store.Availability;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Statistics as JSON; durations in seconds, times in ISO 8601 UTC. */
public final class StatsJson {

    private StatsJson() {
    }

    public static void print(StatsReport report, PrintWriter out) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("since", report.since().toString());
        root.put("until", report.until().toString());
        root.put("window_seconds", Duration.between(report.since(), report.until()).toMillis() / 1000.0);
        var vms = root.putArray("vms");
        for (VmStats vm : report.vms()) {
            ObjectNode node = vms.addObject();
            node.put("vm", vm.vm());
            node.put("name", vm.name());
            node.put("configured", vm.configured());
            ObjectNode now = node.putObject("now");
            if (vm.current() != null) {
                now.put("result", vm.current().verdict());
                now.put("availability", vm.current().availability().name().toLowerCase(Locale.ROOT));
                now.put("detail", vm.current().detail());
                now.put("checked_at", vm.current().checkedAt().toString());
                now.put("on_hold", vm.current().hold() != null);
            }
            Timeline.Totals totals = vm.totals();
            Double ratio = totals.availabilityRatio();
            if (ratio == null) {
                node.putNull("availability_ratio");
            } else {
                node.put("availability_ratio", ratio);
            }
            ObjectNode seconds = node.putObject("seconds");
            for (Availability availability : Availability.values()) {
                seconds.put(availability.name().toLowerCase(Locale.ROOT), totals.of(availability).toMillis() / 1000.0);
            }
            seconds.put("unknown", totals.unknown().toMillis() / 1000.0);
            node.put("outages", totals.outages());
            Duration mttr = totals.meanTimeToRecovery();
            if (mttr == null) {
                node.putNull("mean_time_to_recovery_seconds");
            } else {
                node.put("mean_time_to_recovery_seconds", mttr.toMillis() / 1000.0);
            }
            ObjectNode actions = node.putObject("actions");
            vm.actions().forEach(actions::put);
            node.put("holds", vm.holds());
            backup(node, vm.backup(), report.until());
        }
        try {
            out.println(mapper.writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private static void backup(ObjectNode node, BackupSummary backup, Instant now) {
        if (backup == null) {
            node.putNull("last_backup");
            return;
        }
        ObjectNode last = node.putObject("last_backup");
        Instant at = backup.finishedAt() != null ? backup.finishedAt() : backup.startedAt();
        last.put("at", at.toString());
        last.put("age_seconds", Duration.between(at, now).toSeconds());
        last.put("level", backup.level());
        last.put("result", backup.result());
        if (backup.bytes() == null) {
            last.putNull("bytes");
        } else {
            last.put("bytes", backup.bytes());
        }
        last.put("chain_length", backup.chainLength());
        last.put("archived_chains", backup.archivedChains());
        if (backup.lastSyncResult() == null) {
            node.putNull("last_sync");
        } else {
            ObjectNode sync = node.putObject("last_sync");
            sync.put("at", backup.lastSyncAt() == null ? null : backup.lastSyncAt().toString());
            sync.put("result", backup.lastSyncResult());
        }
        if (backup.lastRestoreResult() == null) {
            node.putNull("last_restore");
        } else {
            ObjectNode restore = node.putObject("last_restore");
            restore.put("at", backup.lastRestoreAt() == null ? null : backup.lastRestoreAt().toString());
            restore.put("result", backup.lastRestoreResult());
        }
    }
}
