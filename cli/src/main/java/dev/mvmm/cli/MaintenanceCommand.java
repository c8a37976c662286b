package dev.mvmm.cli;

import dev.mvmm.cli.support.ExitStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mvmm maintenance}: the group; it only lists its subcommands. */
@Command(name = "maintenance",
        description = {"Maintenance mode, for the whole host or single VMs: nothing is rebooted while it lasts; "
                + "probes are still recorded. Also releases VMs from hold."},
        mixinStandardHelpOptions = true,
        subcommands = {MaintenanceOnCommand.class, MaintenanceOffCommand.class, MaintenanceStatusCommand.class,
            MaintenanceClearCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:success", "64:usage error", "74:state database unusable"})
public final class MaintenanceCommand implements Callable<Integer> {

    @ParentCommand
    MvmmCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitStatus.USAGE.code();
    }
}
