package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.WaitOption;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.core.VmNames;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.Keys;
import dev.mvmm.core.config.Settings;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.health.HealthSettings;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.HypervisorUnavailableException;
import dev.mvmm.core.lock.VmLock;
import dev.mvmm.core.patch.Patch;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mvmm patch}: make domains ready for incremental backups. */
@Command(name = "patch",
        description = {"Make VMs ready for incremental backups: declare QEMU's incremental-backup capability in the "
                + "domain definition where this host's libvirt and QEMU need it (libvirt 7.6 with QEMU 6.1 and later "
                + "need nothing: it says so and changes nothing), and report disks that cannot hold persistent "
                + "bitmaps (qcow2 v2) with the command that converts them.",
            "The definition is edited as XML; running it again changes nothing. A running VM keeps the old "
                + "definition until it is power-cycled: --restart does that (within the loop guard)."},
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:every VM is ready (or was made ready)", " 1:something needs doing (--check), or a VM "
                + "failed", "64:usage error", "69:the hypervisor (libvirt) cannot be reached",
            "75:a VM is busy (another mvmm operation holds it)", "78:configuration error"})
public final class PatchCommand implements Callable<Integer> {

    @ParentCommand
    MvmmCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WaitOption waiting = new WaitOption();

    @Parameters(paramLabel = "VM", arity = "1..*", description = "The VMs to patch.")
    List<String> vms = new ArrayList<>();

    @Option(names = "--check", description = "Change nothing; exit 1 when something needs doing.")
    boolean check;

    @Option(names = "--restart", description = "Power-cycle a running VM that still runs without the capability "
            + "(graceful shutdown, hard stop after wait_time, start), unless the loop guard forbids it. "
            + "restart_if_required=true in the VM's configuration does the same.")
    boolean restart;

    @Option(names = "--force", description = "Declare the capability even where this host does not need it (for a "
            + "VM that will move to an older host).")
    boolean force;

    @Override
    public Integer call() {
        for (String vm : vms) {
            if (!VmNames.isSafe(vm)) {
                throw new CommandLine.ParameterException(spec.commandLine(), VmNames.problem(vm));
            }
        }
        if (check && restart) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--check changes nothing; leave out "
                    + "--restart");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ExitStatus worst = ExitStatus.OK;
        try (Context context = Context.of(root.options()).waitingFor(waiting.patience())) {
            Configuration configuration = context.configuration();
            Patch patch = new Patch(context.hypervisor(), new Tools(context.hypervisor().uri()), context.health(),
                    context.powerMarkers(), context.clock(), context.sleeper());
            for (String vm : vms) {
                Settings settings = configuration.vm(vm).map(VmConfig::settings).orElse(configuration.global());
                Optional<VmLock> lock = check ? Optional.empty() : context.lockOrExplain(vm, "patch", "patch", err);
                if (!check && lock.isEmpty()) {
                    worst = worse(worst, ExitStatus.TEMPORARY);
                    continue;
                }
                try {
                    // restart_if_required=true allows the power cycle a change needs, as --restart does.
                    boolean cycle = restart || !check && settings.get(Keys.RESTART_IF_REQUIRED);
                    Patch.Finding finding = patch.run(vm, new Patch.Options(check, force, cycle),
                            HealthSettings.from(settings), BackupSettings.from(settings).waitTime());
                    out.printf("%-20s %s%n", vm, label(finding));
                    finding.notes().forEach(note -> out.println("  " + note));
                    if (finding.actionNeeded()) {
                        worst = worse(worst, ExitStatus.VM_PROBLEM);
                    }
                } catch (HypervisorUnavailableException e) {
                    throw e;
                } catch (BackupException | HypervisorException | IllegalArgumentException e) {
                    err.println("mvmm patch: " + vm + ": " + e.getMessage());
                    worst = worse(worst, ExitStatus.VM_PROBLEM);
                } finally {
                    lock.ifPresent(VmLock::close);
                }
            }
        }
        return worst.code();
    }

    private static String label(Patch.Finding finding) {
        return switch (finding.state()) {
            case NOT_NEEDED -> "not needed";
            case READY -> finding.cycled() ? "power-cycled" : "ready";
            case PATCHED -> finding.changed() ? "patched" : "needs patch";
            case NEEDS_POWER_CYCLE -> "needs a power cycle";
        } + (finding.actionNeeded() && finding.state() == Patch.State.NOT_NEEDED ? " (see the disks)" : "");
    }

    private static ExitStatus worse(ExitStatus a, ExitStatus b) {
        if (a == ExitStatus.TEMPORARY || b == ExitStatus.TEMPORARY) {
            return a == ExitStatus.VM_PROBLEM || b == ExitStatus.VM_PROBLEM ? ExitStatus.VM_PROBLEM
                    : ExitStatus.TEMPORARY;
        }
        return a == ExitStatus.OK ? b : a;
    }
}
