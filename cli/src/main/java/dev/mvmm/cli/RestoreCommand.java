package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.WaitOption;
import dev.mvmm.cli.support.Terminal;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.cli.support.Prompter;
import dev.mvmm.cli.support.Times;
import dev.mvmm.core.VmNames;
import dev.mvmm.core.backup.Archives;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.BackupRepository;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.backup.Stamps;
import dev.mvmm.core.backup.SyncException;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.Shown;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.lock.VmLock;
import dev.mvmm.core.restore.RestoreJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mvmm restore}: a stored chain, up to a checkpoint, into a directory, in place, or as a new VM. */
@Command(name = "restore",
        description = {"Restore a VM's disks from a stored chain, up to a checkpoint, with virtnbdrestore: into a new "
                + "directory (the default; the VM and its live disks are not touched), in place of the VM's live disks "
                + "(--in-place), or as a new VM (--define).",
            "Every restored image is checked with qemu-img check before it is reported as restored or used.",
            "Run on a terminal without a VM, it asks which VM, chain, checkpoint, disks and destination."},
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:restored and checked", " 1:the restore failed (an in-place restore put the old disks "
                + "back)", "64:usage error (also: --in-place without --yes when not on a terminal)",
            "69:the hypervisor (libvirt) cannot be reached", "75:the VM is busy (a backup or another restore holds it)",
            "78:configuration error"})
public final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    MvmmCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WaitOption waiting = new WaitOption();

    @Parameters(paramLabel = "VM", arity = "0..1", description = "The VM whose backup to restore (asked for on a "
            + "terminal when left out).")
    String vm;

    @Option(names = "--chain", paramLabel = "ID", description = "An archived chain (its name or its time, "
            + "e.g. 20261121T135203Z); default: the current chain.")
    String chain;

    @ArgGroup(exclusive = true)
    Point point = new Point();

    static final class Point {
        @Option(names = "--checkpoint", paramLabel = "N", description = "Restore up to this checkpoint (its number "
                + "or name); default: the newest.")
        String checkpoint;

        @Option(names = "--at", paramLabel = "TIME", description = "Restore the last checkpoint taken at or before "
                + "TIME (2026-11-21T03:00:00Z, or local 2026-11-21T03:00).")
        String at;
    }

    @Option(names = "--disk", paramLabel = "DEV", description = "Restore only this disk (vda); default: all.")
    String disk;

    @ArgGroup(exclusive = true)
    Destination destination = new Destination();

    static final class Destination {
        @Option(names = "--to", paramLabel = "DIR", description = "Directory to restore into (must be new or "
                + "empty); default: <backup_path>/restores/<VM>.<time>, or with --define a folder named after the "
                + "new VM next to the original disks.")
        Path to;

        @Option(names = "--in-place", description = "Replace the VM's live disks: shut it down (hard stop after "
                + "wait_time), keep the old images renamed, clear its checkpoints and bitmaps so the next backup "
                + "starts a new chain, archive the old chain, and start it again if it was running. Any failure "
                + "puts the old disks back.")
        boolean inPlace;
    }

    @Option(names = "--define", paramLabel = "NAME", description = "Define the restored disks as a new VM NAME "
            + "(new UUID, new MAC addresses).")
    String define;

    @Option(names = "--discard-old", description = "With --in-place: delete the old images once the VM is back "
            + "(default: keep them as <disk>.pre-restore.<time>).")
    boolean discardOld;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation (required for --in-place when "
            + "not on a terminal).")
    boolean yes;

    @Option(names = "--from-remote", description = "Restore from the off-site copy (remote_path) instead of the "
            + "local chain.")
    boolean fromRemote;

    @Override
    public Integer call() {
        Optional<Prompter> terminal = Prompter.onTerminal();
        if (vm == null && terminal.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'VM' (run on "
                    + "a terminal to be asked)");
        }
        if (vm != null && !VmNames.isSafe(vm)) {
            throw new CommandLine.ParameterException(spec.commandLine(), VmNames.problem(vm));
        }
        if (define != null && destination.inPlace) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--define and --in-place exclude each "
                    + "other: --define makes a new VM, --in-place replaces this VM's disks");
        }
        String chainName = vm == null ? null : chainName();
        if (disk != null && !disk.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--disk: " + Shown.quote(disk)
                    + " is not a disk's target device name such as vda or sdb");
        }
        if (define != null && !VmNames.isSafe(define)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--define: " + VmNames.problem(define));
        }
        if (discardOld && !destination.inPlace && vm != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--discard-old only applies to --in-place");
        }
        if (destination.inPlace && !yes && terminal.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--in-place replaces the live disks of "
                    + vm + "; not on a terminal, so add --yes to confirm");
        }
        Instant at = parseAt();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Context context = Context.of(root.options()).waitingFor(waiting.patience())) {
            RestoreJob.Plan plan;
            Path fetched = null;
            try {
                if (vm == null) {
                    RestoreDialogue.Answers answers = new RestoreDialogue(terminal.get(), context).ask();
                    plan = answers.plan();
                    fetched = answers.plan().fetched();
                } else {
                    plan = new RestoreJob.Plan(vm, chainName, fromRemote, point.checkpoint, at, disk, mode(),
                            destination.to, define, discardOld, null);
                    if (destination.inPlace && !yes && !terminal.get().confirm("Replace the live disks of " + vm
                            + " with the backup (the VM is shut down for it)?", false)) {
                        err.println("mvmm restore: cancelled; nothing was changed");
                        return ExitStatus.OK.code();
                    }
                }
                return restore(context, plan, out, err);
            } finally {
                if (fetched != null) {
                    Archives.delete(fetched);
                }
            }
        } catch (Prompter.Aborted e) {
            err.println("mvmm restore: " + e.getMessage());
            return ExitStatus.OK.code();
        }
    }

    private int restore(Context context, RestoreJob.Plan plan, PrintWriter out, PrintWriter err) {
        Configuration configuration = context.configuration();
        BackupSettings settings = BackupSettings.from(configuration.vm(plan.vm()).map(VmConfig::settings)
                .orElse(configuration.global()));
        if (settings.backupPath() == null) {
            err.println("mvmm restore: " + plan.vm() + ": no backup_path configured; set it in "
                    + context.configDirectory().resolve("mvmm.conf"));
            return ExitStatus.VM_PROBLEM.code();
        }
        Optional<VmLock> lock = context.lockOrExplain(plan.vm(), "restore", "restore", err);
        if (lock.isEmpty()) {
            return ExitStatus.TEMPORARY.code();
        }
        try (VmLock held = lock.get()) {
            boolean needsHost = plan.mode() != RestoreJob.Mode.DIRECTORY;
            RestoreJob job = new RestoreJob(needsHost ? context.hypervisor() : null,
                    new Tools(needsHost ? context.hypervisor().uri() : null, Terminal.meter()),
                    new BackupRepository(context.store()), context.powerMarkers(), context.notifier(), context.clock(),
                    context.sleeper());
            job.run(plan, settings).lines().forEach(out::println);
            return ExitStatus.OK.code();
        } catch (BackupException | SyncException | HypervisorException e) {
            err.println("mvmm restore: " + plan.vm() + ": " + e.getMessage());
            return e instanceof dev.mvmm.core.host.HypervisorUnavailableException ? ExitStatus.UNAVAILABLE.code()
                    : ExitStatus.VM_PROBLEM.code();
        }
    }

    private RestoreJob.Mode mode() {
        if (destination.inPlace) {
            return RestoreJob.Mode.IN_PLACE;
        }
        return define != null ? RestoreJob.Mode.DEFINE : RestoreJob.Mode.DIRECTORY;
    }

    /** The chain's folder name; anything but 'current', an archive's time or its name is refused. */
    private String chainName() {
        if (chain == null || chain.equals("current")) {
            return vm;
        }
        String name = chain.startsWith(vm + ".") ? chain : vm + "." + chain;
        if (!name.matches(java.util.regex.Pattern.quote(vm) + "\\." + Stamps.PATTERN)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--chain: " + Shown.quote(chain)
                    + " is neither 'current' nor an archived chain's time (20261121T135203Z) or name ("
                    + vm + ".20261121T135203Z); see 'mvmm backup list " + vm + "'");
        }
        return name;
    }

    private Instant parseAt() {
        if (point.at == null) {
            return null;
        }
        try {
            return Times.parse(point.at);
        } catch (java.time.format.DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--at: '" + point.at
                    + "' is not a time; write 2026-11-21T03:00:00Z or 2026-11-21T03:00");
        }
    }
}
