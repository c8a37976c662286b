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

/** {@code mvmm maintenance clear}. */
@Command(name = "clear", description = {"Release VMs from hold (the loop guard) and restart their failure clock "
        + "and action count. With no VM named, every VM on hold is released."},
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:success", "64:usage error", "74:state database unusable"})
public final class MaintenanceClearCommand implements Callable<Integer> {

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
            List<String> released = maintenance.clear(vms.names());
            for (String vm : vms.names()) {
                if (!released.contains(vm)) {
                    spec.commandLine().getOut().println(vm + ": was not on hold; failure counters reset");
                }
            }
            for (String vm : released) {
                spec.commandLine().getOut().println(vm + ": released from hold");
            }
            if (vms.names().isEmpty() && released.isEmpty()) {
                spec.commandLine().getOut().println("no VM is on hold");
            }
        }
        return ExitStatus.OK.code();
    }
}
