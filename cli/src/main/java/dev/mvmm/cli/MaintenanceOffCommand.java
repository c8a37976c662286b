package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.cli.support.VmSelection;
import dev.mvmm.core.maintenance.Maintenance;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code mvmm maintenance off}. */
@Command(name = "off", description = "End maintenance for the VMs named, or for the whole host when none is named. "
        + "A VM's own maintenance and the host's are separate: ending one leaves the other.",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:success", "64:usage error", "74:state database unusable"})
public final class MaintenanceOffCommand implements Callable<Integer> {

    @ParentCommand
    MaintenanceCommand group;

    @Spec
    CommandSpec spec;

    @Mixin
    VmSelection vms;

    @Override
    public Integer call() {
        try (Context context = Context.of(group.root.options())) {
            vms.validate(context);
            Maintenance maintenance = new Maintenance(context.maintenance(), context.health(), context.clock());
            for (String scope : vms.scopes()) {
                boolean was = maintenance.stop(scope);
                spec.commandLine().getOut().println("maintenance off for " + MaintenanceOnCommand.describe(scope)
                        + (was ? "" : " (it was not on)"));
            }
            if (!vms.names().isEmpty()) {
                maintenance.global().ifPresent(global -> spec.commandLine().getOut().println(
                        "note: the whole host is still in maintenance; 'mvmm maintenance off' ends that"));
            }
        }
        return ExitStatus.OK.code();
    }
}
