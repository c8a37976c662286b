package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.WaitOption;
import dev.mvmm.cli.support.Terminal;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.core.VmNames;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.Keys;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.HypervisorUnavailableException;
import dev.mvmm.core.host.libvirt.LibvirtHypervisor;
import dev.mvmm.core.lock.VmLock;
import dev.mvmm.core.replicate.LocalFiles;
import dev.mvmm.core.replicate.Replicate;
import dev.mvmm.core.replicate.SshFiles;
import dev.mvmm.core.replicate.TargetFiles;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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

/** {@code mvmm replicate}: clone a VM here or onto another libvirt host. */
@Command(name = "replicate",
        description = {"Clone a VM onto this host or another libvirt host (--to qemu+ssh://user@host/system): a new "
                + "name, a new UUID, a new MAC address for every interface, a new path for every disk, NVRAM and TPM "
                + "state copied. Disks are copied thin (qemu-img convert) and verified identical to the source "
                + "afterwards; over ssh they travel sparse (rsync --sparse) and are checked by SHA-256 on both ends.",
            "Nothing is ever overwritten: an existing VM name or file is refused before anything is written. A "
                + "failure removes whatever the run created. A running source is refused unless --shutdown-source."},
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:cloned and verified", " 1:the clone failed (nothing of it is left behind)",
            "64:usage error", "69:a hypervisor (libvirt, here or at --to) cannot be reached",
            "75:the VM or the new name is busy (another mvmm operation holds it)", "78:configuration error"})
public final class ReplicateCommand implements Callable<Integer> {

    @ParentCommand
    MvmmCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WaitOption waiting = new WaitOption();

    @Parameters(index = "0", paramLabel = "VM", description = "The VM to clone (defined on this host).")
    String vm;

    @Parameters(index = "1", paramLabel = "NEW", description = "The clone's name.")
    String name;

    @Option(names = "--to", paramLabel = "URI", description = "Clone onto this libvirt host instead of this one, "
            + "e.g. qemu+ssh://root@host2/system (ssh uses mvmm's defaults and ssh_opts).")
    String to;

    @Option(names = "--disk-dir", paramLabel = "DIR", description = "Directory for the copied disks (default: each "
            + "source disk's directory, the VM's name in the file name replaced by NEW).")
    Path diskDir;

    @Option(names = "--disk", paramLabel = "DEV=PATH", description = "The copy of one disk goes to PATH (repeatable; "
            + "the other disks follow --disk-dir or the default).")
    Map<String, String> disks = new LinkedHashMap<>();

    @Option(names = "--no-disks", description = "Copy the definition only; the clone gets no disks (attach storage "
            + "yourself).")
    boolean noDisks;

    @Option(names = "--keep-macs", description = "Keep the source's MAC addresses (only for a clone that never runs "
            + "on the source's network at the same time).")
    boolean keepMacs;

    @Option(names = "--start", description = "Start the clone once it is defined.")
    boolean start;

    @Option(names = "--shutdown-source", description = "Shut a running source down for the copy (hard stop after "
            + "wait_time) and start it again afterwards.")
    boolean shutdownSource;

    @Option(names = "--patch", description = "Declare the incremental-backup capability in the clone where the "
            + "target host needs it (see 'mvmm patch').")
    boolean patch;

    @Override
    public Integer call() {
        for (String each : new String[] {vm, name}) {
            if (!VmNames.isSafe(each)) {
                throw new CommandLine.ParameterException(spec.commandLine(), VmNames.problem(each));
            }
        }
        if (noDisks && (diskDir != null || !disks.isEmpty())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--no-disks copies no disks; leave out "
                    + "--disk and --disk-dir");
        }
        URI target = parseTarget();
        if (name.equals(vm) && target == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "NEW is " + vm + " itself; a clone on this "
                    + "host needs a name of its own (the same name only with --to another host)");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Context context = Context.of(root.options()).waitingFor(waiting.patience())) {
            Configuration configuration = context.configuration();
            BackupSettings settings = BackupSettings.from(configuration.vm(vm).map(VmConfig::settings)
                    .orElse(configuration.global()));
            Optional<VmLock> source = context.lockOrExplain(vm, "replicate to " + name, "replicate", err);
            if (source.isEmpty()) {
                return ExitStatus.TEMPORARY.code();
            }
            try (VmLock held = source.get()) {
                // The same name on another host: the source's lock already covers that name here.
                VmLock clone = null;
                if (!name.equals(vm)) {
                    Optional<VmLock> locked = context.lockOrExplain(name, "replicate from " + vm, "replicate", err);
                    if (locked.isEmpty()) {
                        return ExitStatus.TEMPORARY.code();
                    }
                    clone = locked.get();
                }
                try (VmLock heldToo = clone) {
                    Hypervisor here = context.hypervisor();
                    Hypervisor there = target == null ? here : LibvirtHypervisor.connect(target);
                    try {
                        // Progress meters only for a person watching: never into logs or pipes.
                        java.io.OutputStream meter = Terminal.meter();
                        TargetFiles files = target == null || target.getHost() == null ? new LocalFiles(meter)
                                : SshFiles.of(target, configuration.global().get(Keys.SSH_OPTS), meter);
                        Replicate.Outcome outcome = new Replicate(here, there, files, context.powerMarkers(),
                                context.clock(), context.sleeper(), line -> {
                                    out.println(line);
                                    out.flush();
                                }).run(new Replicate.Request(vm, name, diskDir, disks, noDisks, keepMacs, start,
                                        shutdownSource, patch, settings.waitTime()));
                        out.println("replicated " + vm + " as " + outcome.name() + (target == null ? "" : " on "
                                + target) + " (UUID " + outcome.uuid() + ")" + (outcome.started() ? "; started" : ""));
                        outcome.disks().forEach((disk, path) -> out.println("  " + disk + "  " + path));
                        if (!outcome.macs().isEmpty()) {
                            out.println("  MAC addresses: " + String.join(", ", outcome.macs())
                                    + (keepMacs ? " (kept)" : " (new)"));
                        }
                        outcome.notes().forEach(note -> out.println("  " + note));
                        return ExitStatus.OK.code();
                    } finally {
                        if (there != here) {
                            there.close();
                        }
                    }
                }
            }
        } catch (HypervisorUnavailableException e) {
            throw e;
        } catch (BackupException | HypervisorException | IllegalArgumentException e) {
            err.println("mvmm replicate: " + vm + " -> " + name + ": " + e.getMessage());
            return ExitStatus.VM_PROBLEM.code();
        }
    }

    private URI parseTarget() {
        if (to == null) {
            return null;
        }
        try {
            URI uri = new URI(to);
            if (uri.getHost() != null && (uri.getScheme() == null || !uri.getScheme().endsWith("+ssh"))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--to " + to + ": a remote host is "
                        + "reached over ssh; write qemu+ssh://user@host/system");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to: '" + to + "' is not a libvirt URI ("
                    + e.getReason() + ")");
        }
    }
}
