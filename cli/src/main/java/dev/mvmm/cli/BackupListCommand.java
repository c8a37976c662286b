package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.core.backup.Archives;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.backup.ChainFolder;
import dev.mvmm.core.backup.Retention;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.Settings;
import dev.mvmm.core.config.VmConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mvmm backup list}. */
@Command(name = "list", description = "Show each VM's current chain (checkpoints, size, newest file, state) and its "
        + "archived chains.",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:success", "64:usage error", "78:configuration error"})
public final class BackupListCommand implements Callable<Integer> {

    @ParentCommand
    BackupCommand backup;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VM", arity = "0..*", description = "VMs (default: every VM with a backup_path).")
    List<String> vms = new ArrayList<>();

    @picocli.CommandLine.Option(names = "--remote", description = "Show what the off-site copy (remote_path) holds.")
    boolean remote;

    @Override
    public Integer call() {
        dev.mvmm.cli.support.VmArguments.requireSafe(spec.commandLine(), vms);
        try (Context context = Context.of(backup.root.options())) {
            Configuration configuration = context.configuration();
            PrintWriter out = spec.commandLine().getOut();
            for (String vm : names(configuration)) {
                Settings settings = configuration.vm(vm).map(VmConfig::settings).orElse(configuration.global());
                BackupSettings backups = BackupSettings.from(settings);
                if (remote) {
                    printRemote(out, vm, backups, context);
                } else if (backups.backupPath() == null) {
                    out.println(vm + ": no backup_path configured");
                } else {
                    print(out, vm, backups.backupPath());
                }
            }
            out.flush();
        }
        return ExitStatus.OK.code();
    }

    private List<String> names(Configuration configuration) {
        if (!vms.isEmpty()) {
            return vms;
        }
        List<String> names = new ArrayList<>(configuration.vmNames());
        Path global = BackupSettings.from(configuration.global()).backupPath();
        if (global != null && java.nio.file.Files.isDirectory(global)) {
            try (var entries = java.nio.file.Files.list(global)) {
                entries.filter(java.nio.file.Files::isDirectory).map(p -> p.getFileName().toString())
                        // Hidden entries, restores, archives, and names no VM may have (-x, a b).
                        .filter(dev.mvmm.core.VmNames::isSafe)
                        .filter(name -> !names.contains(name)).forEach(names::add);
            } catch (java.io.IOException e) {
                // Listing is best effort; the configured VMs are still shown.
            }
        }
        names.sort(null);
        return names;
    }

    private static void print(PrintWriter out, String vm, Path backupPath) {
        ChainFolder current = ChainFolder.read(backupPath.resolve(vm), vm);
        if (!current.exists()) {
            out.println(vm + ": no current chain in " + backupPath);
        } else {
            String state = !current.partialFiles().isEmpty() ? "interrupted (partial files)"
                    : current.hasFull() ? "complete" : "no full backup";
            out.printf("%s: current chain %s: %d checkpoints %s, %s, newest %s, %s%n", vm, current.directory(),
                    current.checkpoints().size(), current.checkpoints(), size(current.bytes()), current.newest(),
                    state);
        }
        for (Retention.Item item : Archives.list(backupPath, vm)) {
            ChainFolder archived = ChainFolder.read(backupPath.resolve(item.name()), vm);
            out.printf("%s: archived %s (%s): %d checkpoints, %s%n", vm, item.name(), item.time(),
                    archived.checkpoints().size(), size(archived.bytes()));
        }
    }

    private static void printRemote(PrintWriter out, String vm, BackupSettings backups, Context context) {
        if (backups.remote() == null) {
            out.println(vm + ": no remote_path configured");
            return;
        }
        List<String> held = new dev.mvmm.core.backup.RemoteSync(backups.remote().open(), context.clock()).holdings(vm);
        if (held.isEmpty()) {
            out.println(vm + ": " + backups.remote().path() + " holds nothing for this VM");
        }
        for (String entry : held) {
            out.println(vm + ": " + backups.remote().path() + ": " + entry);
        }
    }

    private static String size(long bytes) {
        return bytes < 1048576 ? bytes / 1024 + " KiB" : bytes / 1048576 + " MiB";
    }
}
