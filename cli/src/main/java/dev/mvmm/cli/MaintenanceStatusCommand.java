package dev.mvmm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.cli.support.VmSelection;
import dev.mvmm.core.maintenance.Maintenance;
import dev.mvmm.core.maintenance.MaintenanceStatus;
import dev.mvmm.core.store.MaintenanceRepository.Window;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code mvmm maintenance status}. */
@Command(name = "status", description = "Show the host's maintenance, and each VM's maintenance and hold "
        + "(default: every VM in maintenance or on hold).",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:success", "64:usage error", "74:state database unusable"})
public final class MaintenanceStatusCommand implements Callable<Integer> {

    @ParentCommand
    MaintenanceCommand group;

    @Spec
    CommandSpec spec;

    @Mixin
    VmSelection vms;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (Context context = Context.of(group.root.options())) {
            vms.validate(context);
            Maintenance maintenance = new Maintenance(context.maintenance(), context.health(), context.clock());
            Optional<Window> global = maintenance.global();
            List<MaintenanceStatus> statuses = maintenance.status(vms.names());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                printJson(out, global, statuses);
            } else {
                printText(out, global, statuses);
            }
        }
        return ExitStatus.OK.code();
    }

    private static void printText(PrintWriter out, Optional<Window> global, List<MaintenanceStatus> statuses) {
        out.println("host: " + global.map(MaintenanceStatusCommand::describe).orElse("not in maintenance"));
        for (MaintenanceStatus status : statuses) {
            String own = status.own() == null ? "not in maintenance" : describe(status.own());
            String hold = status.hold() == null ? "" : "; ON HOLD since " + status.hold().since() + " ("
                    + status.hold().reason() + ")";
            out.println(status.vm() + ": " + own + hold);
        }
        out.flush();
    }

    private static String describe(Window window) {
        return "in maintenance since " + window.since()
                + (window.until() == null ? "" : " until " + window.until())
                + (window.reason() == null ? "" : " (" + window.reason() + ")");
    }

    private static void printJson(PrintWriter out, Optional<Window> global, List<MaintenanceStatus> statuses)
            throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        window(root.putObject("host"), global.orElse(null));
        ArrayNode vms = root.putArray("vms");
        for (MaintenanceStatus status : statuses) {
            ObjectNode vm = vms.addObject();
            vm.put("vm", status.vm());
            window(vm, status.own());
            vm.put("in_maintenance", status.inMaintenance());
            vm.put("on_hold", status.hold() != null);
            vm.put("hold_since", status.hold() == null ? null : status.hold().since().toString());
            vm.put("hold_reason", status.hold() == null ? null : status.hold().reason());
        }
        out.println(mapper.writeValueAsString(root));
        out.flush();
    }

    private static void window(ObjectNode node, Window window) {
        node.put("maintenance", window != null);
        node.put("since", window == null ? null : window.since().toString());
        node.put("until", window == null || window.until() == null ? null : window.until().toString());
        node.put("reason", window == null ? null : window.reason());
    }
}
