package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.cli.support.VmSelection;
import dev.mvmm.core.config.Durations;
import dev.mvmm.core.maintenance.Maintenance;
import dev.mvmm.core.store.MaintenanceRepository;
import dev.mvmm.core.store.MaintenanceRepository.Window;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code mvmm maintenance on}. */
@Command(name = "on", description = "Start maintenance for the VMs named, or for the whole host when none is named.",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:success", "64:usage error", "74:state database unusable"})
public final class MaintenanceOnCommand implements Callable<Integer> {

    @ParentCommand
    MaintenanceCommand group;

    @Spec
    CommandSpec spec;

    @Mixin
    VmSelection vms;

    @Option(names = "--for", paramLabel = "DURATION",
            description = "End by itself after this long (30m, 2h, 1d); default: until 'maintenance off'.")
    String length;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, shown by 'maintenance status'.")
    String reason;

    @Override
    public Integer call() {
        Duration duration = parseLength();
        try (Context context = Context.of(group.root.options())) {
            vms.validate(context);
            Maintenance maintenance = new Maintenance(context.maintenance(), context.health(), context.clock());
            for (String scope : vms.scopes()) {
                Window window = maintenance.start(scope, duration, reason);
                spec.commandLine().getOut().println("maintenance on for " + describe(scope)
                        + (window.until() == null ? " until 'mvmm maintenance off'" : " until " + window.until()));
            }
        }
        return ExitStatus.OK.code();
    }

    private Duration parseLength() {
        if (length == null) {
            return null;
        }
        try {
            Duration duration = Durations.parse(length);
            if (duration.isZero()) {
                throw new IllegalArgumentException("must be longer than 0");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--for: " + e.getMessage());
        }
    }

    static String describe(String scope) {
        return MaintenanceRepository.GLOBAL.equals(scope) ? "the whole host" : "VM " + scope;
    }
}
