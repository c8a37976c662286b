package dev.mvmm.cli;

import dev.mvmm.cli.render.CheckJson;
import dev.mvmm.cli.render.CheckNagios;
import dev.mvmm.cli.render.CheckTable;
import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.ErrorHandler;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.cli.support.VmArguments;
import dev.mvmm.core.MvmmException;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.health.CheckReport;
import dev.mvmm.core.health.CheckRequest;
import dev.mvmm.core.health.HealthCheck;
import dev.mvmm.core.health.HealthServices;
import dev.mvmm.core.config.Keys;
import dev.mvmm.core.probe.Prober;
import dev.mvmm.core.stats.HistoryCompactor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mvmm check}: one pass of health checks. */
@Command(name = "check",
        description = {"Check the configured VMs once: probe their ports, record the result, and take each VM's "
                + "action (reboot, reset or none) once a failure has lasted fail_threshold.",
            "VMs not running on this host, stopped or paused on purpose, in maintenance, in their recovery time "
                + "or locked by another mvmm operation are left alone.",
            "A VM that another mvmm operation (backup, restore --in-place, replicate --shutdown-source, patch "
                + "--restart) stopped or started paused and was cut off before putting back (its power marker "
                + "says so) is started, or shut off again, once that operation no longer holds its lock."},
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            " 0:every VM healthy, or left alone on purpose",
            " 1:at least one VM is unhealthy: failing, acted on, or on hold",
            "64:usage error",
            "69:hypervisor unreachable",
            "70:internal error",
            "74:state database or lock directory unusable",
            "75:a VM was skipped: locked by another mvmm operation",
            "78:configuration error (mvmm.conf: nothing done; a VM's file: that VM skipped)",
            "With --nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."
        })
public final class CheckCommand implements Callable<Integer> {

    @ParentCommand
    MvmmCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VM", arity = "0..*", description = "VMs to check (default: every configured VM).")
    List<String> vms = new ArrayList<>();

    @ArgGroup(exclusive = true)
    Format format = new Format();

    static final class Format {
        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Option(names = "--nagios", description = "Print one line with perfdata, monitoring-plugins style, and "
                + "exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
        boolean nagios;
    }

    @Override
    public Integer call() {
        // A name that could never be a configuration file's is a typo or an attack, not a VM to skip.
        VmArguments.requireSafe(spec.commandLine(), vms);
        try (Context context = Context.of(root.options()); Prober prober = new Prober()) {
            CheckReport report = new HealthCheck(services(context, prober)).run(request(context.configuration()));
            new HistoryCompactor(context.store()).compactIfDue(context.clock().instant(),
                    context.configuration().global().get(Keys.HISTORY_DETAIL));
            if (format.nagios) {
                return CheckNagios.print(report, spec.commandLine().getOut());
            }
            if (format.json) {
                CheckJson.print(report, spec.commandLine().getOut());
            } else {
                CheckTable.print(report, spec.commandLine().getOut());
            }
            return exitStatus(report).code();
        } catch (MvmmException e) {
            if (format.nagios) {
                return CheckNagios.unknown(e, ErrorHandler.statusOf(e), spec.commandLine().getOut());
            }
            throw e;
        }
    }

    private CheckRequest request(Configuration configuration) {
        List<VmConfig> selected = new ArrayList<>();
        List<String> unconfigured = new ArrayList<>();
        configuration.select(vms).forEach((name, vm) -> {
            if (vm.isPresent()) {
                Context.logWarnings(vm.get());
                selected.add(vm.get());
            } else {
                unconfigured.add(name);
            }
        });
        return new CheckRequest(selected, unconfigured);
    }

    static HealthServices services(Context context, Prober prober) {
        context.configuration();
        return new HealthServices(context.hypervisor(), context.health(), context.maintenance(), context.locks(),
                context.powerMarkers(), prober, context.notifier(), context.clock(), context.sleeper());
    }

    static ExitStatus exitStatus(CheckReport report) {
        switch (report.worst()) {
            case CONFIG: return ExitStatus.CONFIG;
            case CRITICAL:
            case WARNING: return ExitStatus.VM_PROBLEM;
            case BUSY: return ExitStatus.TEMPORARY;
            default: return ExitStatus.OK;
        }
    }

}
