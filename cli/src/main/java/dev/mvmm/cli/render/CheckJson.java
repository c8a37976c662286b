package dev.mvmm.cli.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mvmm.core.health.CheckReport;
import dev.mvmm.core.health.Severity;
import dev.mvmm.core.health.VmOutcome;
import java.io.PrintWriter;
import java.util.Locale;

/** A check report as JSON, with stable snake_case field names for scripts. */
public final class CheckJson {

    private CheckJson() {
    }

    public static void print(CheckReport report, PrintWriter out) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("checked_at", report.startedAt().toString());
        root.put("took_ms", report.took().toMillis());
        root.put("worst", report.worst().name().toLowerCase(Locale.ROOT));
        ArrayNode vms = root.putArray("vms");
        for (VmOutcome outcome : report.outcomes()) {
            ObjectNode vm = vms.addObject();
            vm.put("vm", outcome.vm());
            vm.put("name", outcome.displayName());
            vm.put("power", outcome.power() == null ? null : outcome.power().name().toLowerCase(Locale.ROOT));
            vm.put("result", outcome.verdict().kind());
            vm.put("severity", outcome.verdict().severity().name().toLowerCase(Locale.ROOT));
            if (outcome.latency() == null) {
                vm.putNull("latency_seconds");
            } else {
                vm.put("latency_seconds", outcome.latency().toNanos() / 1e9);
            }
            vm.put("detail", outcome.verdict().detail());
        }
        ObjectNode counts = root.putObject("counts");
        for (Severity severity : Severity.values()) {
            counts.put(severity.name().toLowerCase(Locale.ROOT), report.count(severity));
        }
        try {
            out.println(mapper.writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }
}
