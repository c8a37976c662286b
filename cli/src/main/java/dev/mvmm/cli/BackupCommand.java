package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.WaitOption;
import dev.mvmm.cli.support.Terminal;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.core.backup.BackupRepository;
import dev.mvmm.core.backup.BackupServices;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.backup.Backups;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.backup.VmBackup;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.ConfigProblem;
import dev.mvmm.core.config.Settings;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.VmStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mvmm backup}: the scheduled backup job. */
@Command(name = "backup",
        description = {"Back up the VMs with virtnbdbackup: every persistent VM of this host that is not ignored "
                + "(or those named), each under its lock. The chain is checked first and repaired, archived or "
                + "restarted as needed; a backup counts only when its data is really there.",
            "Subcommands list and verify show and check the stored chains."},
        mixinStandardHelpOptions = true,
        subcommands = {BackupListCommand.class, BackupVerifyCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:every backup succeeded or was skipped on purpose",
            " 1:at least one backup or off-site copy failed",
            "64:usage error",
            "69:hypervisor unreachable",
            "74:state database unusable",
            "75:a VM was skipped: locked by another mvmm operation",
            "78:configuration error"})
public final class BackupCommand implements Callable<Integer> {

    @ParentCommand
    MvmmCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WaitOption waiting = new WaitOption();

    @Parameters(paramLabel = "VM", arity = "0..*", description = "VMs to back up (default: every persistent VM).")
    List<String> vms = new ArrayList<>();

    @Option(names = "--full", description = "Start a new chain with a full backup (the current one is archived).")
    boolean full;

    @Option(names = "--dry-run", description = "Check the chains and say what would be done; change nothing.")
    boolean dryRun;

    @Option(names = "--sync-only", description = "Take no backups; bring the off-site copies (remote_path) in line.")
    boolean syncOnly;

    @Override
    public Integer call() {
        dev.mvmm.cli.support.VmArguments.requireSafe(spec.commandLine(), vms);
        try (Context context = Context.of(root.options()).waitingFor(waiting.patience())) {
            Configuration configuration = context.configuration();
            List<Backups.Target> targets = new ArrayList<>();
            List<VmBackup> refused = new ArrayList<>();
            for (String vm : selected(context)) {
                Optional<VmConfig> config = configuration.vm(vm);
                if (config.isPresent() && !config.get().isValid()) {
                    refused.add(new VmBackup(vm, VmBackup.Result.FAILED, null, null, "configuration invalid: "
                            + config.get().problems().stream().filter(ConfigProblem::isError).map(Object::toString)
                                    .collect(Collectors.joining("; ")), null, Duration.ZERO));
                    continue;
                }
                Settings settings = config.map(VmConfig::settings).orElse(configuration.global());
                targets.add(new Backups.Target(vm, BackupSettings.from(settings)));
            }
            BackupServices services = new BackupServices(context.hypervisor(),
                    new Tools(context.hypervisor().uri(), Terminal.meter()), context.locks(), context.powerMarkers(),
                    new BackupRepository(context.store()), context.notifier(), context.clock(), context.sleeper(),
                    context.health());
            List<VmBackup> outcomes = new ArrayList<>(new Backups(services).run(targets, full, dryRun, syncOnly));
            outcomes.addAll(refused);
            print(outcomes, spec.commandLine().getOut());
            return exitStatus(outcomes, !refused.isEmpty()).code();
        }
    }

    private List<String> selected(Context context) {
        if (!vms.isEmpty()) {
            return vms;
        }
        List<String> names = new ArrayList<>();
        for (VmStatus status : context.hypervisor().list().values()) {
            if (status.persistent()) {
                names.add(status.name());
            }
        }
        names.sort(null);
        return names;
    }

    private static void print(List<VmBackup> outcomes, PrintWriter out) {
        int width = outcomes.stream().mapToInt(o -> o.vm().length()).max().orElse(2);
        for (VmBackup outcome : outcomes) {
            out.printf("%-" + width + "s  %-7s  %-4s  %s%n", outcome.vm(), outcome.result().name().toLowerCase(),
                    outcome.level() == null ? "-" : outcome.level(), outcome.detail()
                            + (outcome.plan() == null ? "" : " (" + outcome.plan() + ")"));
            if (outcome.sync() != null) {
                out.printf("%-" + width + "s  %-7s  %-4s  %s%n", outcome.vm(), outcome.syncFailed() ? "failed" : "ok",
                        "sync", outcome.sync());
            }
        }
        long failed = outcomes.stream().filter(o -> o.result() == VmBackup.Result.FAILED).count();
        out.println(outcomes.size() + " VMs: " + outcomes.stream().filter(o -> o.result() == VmBackup.Result.OK)
                .count() + " backed up, " + failed + " failed, " + outcomes.stream()
                .filter(o -> o.result() == VmBackup.Result.SKIPPED || o.result() == VmBackup.Result.BUSY).count()
                + " skipped" + (outcomes.stream().anyMatch(VmBackup::syncFailed) ? "; "
                + outcomes.stream().filter(VmBackup::syncFailed).count() + " off-site copies failed" : ""));
        out.flush();
    }

    private static ExitStatus exitStatus(List<VmBackup> outcomes, boolean configErrors) {
        if (configErrors) {
            return ExitStatus.CONFIG;
        }
        if (outcomes.stream().anyMatch(o -> o.result() == VmBackup.Result.FAILED || o.syncFailed())) {
            return ExitStatus.VM_PROBLEM;
        }
        if (outcomes.stream().anyMatch(o -> o.result() == VmBackup.Result.BUSY)) {
            return ExitStatus.TEMPORARY;
        }
        return ExitStatus.OK;
    }
}
