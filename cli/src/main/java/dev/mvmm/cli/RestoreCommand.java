package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.cli.support.Times;
import dev.mvmm.core.VmNames;
import dev.mvmm.core.backup.Archives;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.backup.Stamps;
import dev.mvmm.core.backup.SyncException;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.lock.VmLock;
import dev.mvmm.core.restore.Restore;
import dev.mvmm.core.restore.RestoreRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mvmm restore}: a stored chain, up to a checkpoint, into a new directory. */
@Command(name = "restore",
        description = {"Restore a VM's disks from a stored chain, up to a checkpoint, into a new directory with "
                + "virtnbdrestore. The VM and its live disks are never touched.",
            "The result is checked: every disk's image must exist and pass qemu-img check."},
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:restored and checked", " 1:the restore failed (nothing is reported as restored)",
            "64:usage error", "75:the VM is busy (a backup holds it)", "78:configuration error"})
public final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    MvmmCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VM", description = "The VM whose backup to restore.")
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

    @Option(names = "--to", paramLabel = "DIR", description = "Directory to restore into (must be new or empty); "
            + "default: <backup_path>/restores/<VM>.<time>.")
    Path to;

    @Option(names = "--from-remote", description = "Restore from the off-site copy (remote_path) instead of the "
            + "local chain.")
    boolean fromRemote;

    @Override
    public Integer call() {
        if (!VmNames.isSafe(vm)) {
            throw new CommandLine.ParameterException(spec.commandLine(), VmNames.problem(vm));
        }
        Instant at = parseAt();
        PrintWriter out = spec.commandLine().getOut();
        try (Context context = Context.of(root.options())) {
            Configuration configuration = context.configuration();
            BackupSettings settings = BackupSettings.from(configuration.vm(vm).map(VmConfig::settings)
                    .orElse(configuration.global()));
            if (settings.backupPath() == null) {
                throw new BackupException("no backup_path configured for " + vm);
            }
            String chainName = chainName();
            Path target = to != null ? to : settings.backupPath().resolve("restores")
                    .resolve(vm + "." + Stamps.of(context.clock().instant()));
            Optional<VmLock> lock = context.locks().tryLock(vm, "restore");
            if (lock.isEmpty()) {
                spec.commandLine().getErr().println("mvmm restore: " + vm + " is busy: locked by "
                        + context.locks().holder(vm).map(Object::toString).orElse("another mvmm process"));
                return ExitStatus.TEMPORARY.code();
            }
            try (VmLock held = lock.get()) {
                Path source = settings.backupPath().resolve(chainName);
                Path fetched = null;
                if (fromRemote) {
                    if (settings.remote() == null) {
                        throw new BackupException("no remote_path configured for " + vm);
                    }
                    fetched = settings.backupPath().resolve(".fetch-" + chainName + "-" + ProcessHandle.current().pid());
                    settings.remote().open().fetchChain(chainName, fetched);
                    source = fetched;
                }
                try {
                    Restore.Result result = new Restore(new Tools(null)).run(new RestoreRequest(vm,
                            settings.backupPath(), chainName, point.checkpoint, at, disk, target), source);
                    out.println("restored " + vm + " from " + chainName + (fromRemote ? " (off-site copy)" : "")
                            + " up to " + result.checkpoint() + " into " + result.directory());
                    result.images().forEach(image -> out.println("  " + image));
                } finally {
                    if (fetched != null) {
                        Archives.delete(fetched);
                    }
                }
            }
        } catch (BackupException | SyncException e) {
            spec.commandLine().getErr().println("mvmm restore: " + vm + ": " + e.getMessage());
            return ExitStatus.VM_PROBLEM.code();
        }
        return ExitStatus.OK.code();
    }

    private String chainName() {
        if (chain == null || chain.equals("current")) {
            return vm;
        }
        return chain.startsWith(vm + ".") ? chain : vm + "." + chain;
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
