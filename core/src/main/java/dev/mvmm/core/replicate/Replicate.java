package dev.mvmm.core.replicate;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.IncrementalSupport;
import dev.mvmm.core.domain.CloneDefinition;
import dev.mvmm.core.domain.DomainXml;
import dev.mvmm.core.domain.MacAddresses;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.Stopper;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.power.PowerMarker;
import dev.mvmm.core.power.PowerMarkers;
import dev.mvmm.core.power.PowerRestore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * {@code mvmm replicate}: a true clone of a VM, on this host or another libvirt host. Everything is
 * checked before anything is written (the name and every new file must be free); disks are copied
 * thin and verified; whatever was created is removed again when a later step fails; a source that
 * was shut down for the copy is started again in every case.
 */
public final class Replicate {

    private static final String SWTPM = "/var/lib/libvirt/swtpm/";

    /**
     * @param disks explicit new paths by disk target ({@code --disk vda=PATH}); others follow {@code diskDir}
     *              or the default (the source path with the VM's name replaced)
     */
    public record Request(String source, String name, Path diskDir, Map<String, String> disks, boolean noDisks,
            boolean keepMacs, boolean start, boolean shutdownSource, boolean patch, Duration waitTime) {
    }

    public record Outcome(String name, String uuid, Map<String, String> disks, List<String> macs, boolean started,
            List<String> notes) {
    }

    private final Hypervisor here;
    private final Hypervisor there;
    private final TargetFiles files;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Consumer<String> progress;
    private final PowerMarkers markers;

    /**
     * @param there   the target host's hypervisor ({@code here} for a local clone)
     * @param markers where a source stopped for the copy is noted until it runs again
     */
    public Replicate(Hypervisor here, Hypervisor there, TargetFiles files, PowerMarkers markers, Clock clock,
            Sleeper sleeper, Consumer<String> progress) {
        this.here = here;
        this.markers = markers;
        this.there = there;
        this.files = files;
        this.clock = clock;
        this.sleeper = sleeper;
        this.progress = progress;
    }

    public Outcome run(Request request) {
        String vm = request.source();
        // The new name becomes file names (disks, NVRAM) next to the source's: it must not climb out.
        dev.mvmm.core.VmNames.require(request.name());
        VmStatus status = here.confirm(vm).orElseThrow(() -> new BackupException("this host has no VM " + vm));
        PowerMarker left = markers.read(vm).orElse(null);
        boolean stoppedEarlier = left != null && left.restoreTo() == PowerState.RUNNING
                && status.state() == PowerState.SHUT_OFF;
        if (stoppedEarlier) {
            // Stopped for the copy by a replicate (or another operation) that was cut off: copied as it
            // is, and started afterwards, whatever happens, as the cut-off run would have.
            progress.accept("source " + vm + " is shut off: " + left.describe() + " stopped it and was cut off; "
                    + "it is started after this copy");
        } else if (left != null && left.restoreTo() == PowerState.SHUT_OFF) {
            // Left paused by a cut-off backup: shut off again first. (A marker to start a VM that runs is
            // this run's own business: it stops the VM and marks it again, or refuses and leaves it.)
            PowerRestore.Result restored = new PowerRestore(here, markers, name -> java.util.Optional.empty(), clock)
                    .restore(left, request.waitTime().plusSeconds(30));
            if (restored.change() == PowerRestore.Change.LATER) {
                throw new BackupException(restored.story() + "; try again then");
            }
            progress.accept("source " + vm + ": " + restored.story());
            status = here.confirm(vm).orElseThrow(() -> new BackupException("this host has no VM " + vm));
        }
        restartNeeded = stoppedEarlier;
        try {
            return copy(request, status);
        } finally {
            if (restartNeeded) {
                restartSource(vm);
            }
        }
    }

    /** Set once the source was stopped for the copy: it is started again in every case. */
    private boolean restartNeeded;

    private Outcome copy(Request request, VmStatus status) {
        String vm = request.source();
        if (!status.persistent()) {
            throw new BackupException("VM " + vm + " is transient (not defined); only defined VMs can be replicated");
        }
        if (there.status(request.name()).isPresent()) {
            DomainXml existing = DomainXml.parse(there.inactiveDefinition(request.name()));
            if (!existing.isUnfinishedReplica()) {
                throw new BackupException("a VM named " + request.name() + " exists already on " + files.describe()
                        + "; choose another name");
            }
            rollBack(existing);
        }
        boolean running = status.state() != PowerState.SHUT_OFF;
        if (running && !request.shutdownSource()) {
            throw new BackupException("VM " + vm + " is " + status.state().label() + "; its disks change while it "
                    + "runs. Shut it down, or add --shutdown-source (it is started again after the copy)");
        }
        String sourceXml = here.inactiveDefinition(vm);
        DomainXml source = DomainXml.parse(sourceXml);
        Map<String, DomainXml.Disk> copied = disksToCopy(source, request);
        Map<String, String> targets = newPaths(vm, request, copied);
        String nvram = source.nvram().map(path -> Path.of(path).resolveSibling(request.name() + "_VARS.fd")
                .toString()).orElse(null);
        List<String> planned = new ArrayList<>(targets.values());
        if (nvram != null) {
            planned.add(nvram);
        }
        for (String path : planned) {
            if (files.exists(path)) {
                throw new BackupException(path + " exists already on " + files.describe() + "; replicate never "
                        + "overwrites a file: choose another path with --disk TARGET=PATH or --disk-dir");
            }
        }
        MacAddresses macs = new MacAddresses(MacAddresses.inUse(there == here ? List.of(here) : List.of(here, there)));
        DomainXml clone = CloneDefinition.of(sourceXml, request.name(), targets, request.noDisks(),
                request.keepMacs() ? null : macs::next, nvram);
        List<String> notes = new ArrayList<>();
        if (request.patch()) {
            long[] versions = there.versions();
            if (IncrementalSupport.builtIn(versions[0], versions[1])) {
                notes.add("--patch: the target's libvirt and QEMU need no incremental-backup capability");
            } else if (clone.addIncrementalBackup()) {
                notes.add("--patch: declared the incremental-backup capability");
            }
        }

        String stopped = null;
        if (running) {
            markers.write(PowerMarker.of(vm, "replicate --shutdown-source", PowerState.RUNNING, clock.instant()));
            restartNeeded = true;
            stopped = new Stopper(here, clock, sleeper).stop(vm, request.waitTime());
            progress.accept("source " + vm + ": " + stopped + " for the copy");
        }
        List<String> created = new ArrayList<>();
        boolean defined = false;
        try {
            // Defined first, marked unfinished, and unmarked last: a run cut off anywhere in between
            // leaves a clone that the next run recognises as its own and removes before starting over.
            clone.markUnfinishedReplica(vm);
            there.define(clone.toXml());
            defined = true;
            clone.clearUnfinishedReplica();
            for (Map.Entry<String, String> entry : targets.entrySet()) {
                DomainXml.Disk disk = copied.get(entry.getKey());
                String top = files.makeDirectories(Path.of(entry.getValue()).getParent().toString());
                if (top != null) {
                    created.add(top);
                }
                Instant began = clock.instant();
                progress.accept("copying " + disk.target() + ": " + disk.file() + " -> " + entry.getValue()
                        + (files instanceof LocalFiles ? "" : " on " + files.describe()));
                created.add(entry.getValue());
                files.copyImage(Path.of(disk.file()), disk.format(), entry.getValue());
                progress.accept("  " + disk.target() + " copied and verified identical in "
                        + Duration.between(began, clock.instant()).toSeconds() + "s");
            }
            if (nvram != null) {
                created.add(nvram);
                files.copy(Path.of(source.nvram().get()), nvram);
                notes.add("NVRAM copied to " + nvram);
            }
            if (source.hasEmulatedTpm() && source.uuid() != null) {
                Path state = Path.of(SWTPM + source.uuid());
                if (java.nio.file.Files.isDirectory(state)) {
                    String copy = SWTPM + clone.uuid();
                    created.add(copy);
                    files.copy(state, copy);
                    notes.add("TPM state copied to " + copy);
                } else {
                    notes.add("the source's TPM has no state yet; the clone starts with a fresh one");
                }
            }
            there.define(clone.toXml());
            boolean started = false;
            if (request.start()) {
                there.start(request.name());
                started = true;
            }
            Logger.tag(vm).info("replicated as {} on {}", request.name(), files.describe());
            return new Outcome(request.name(), clone.uuid(), targets, clone.macs(), started, notes);
        } catch (RuntimeException e) {
            throw cleanUp(request.name(), created, defined, e);
        }
    }

    private Map<String, DomainXml.Disk> disksToCopy(DomainXml source, Request request) {
        Map<String, DomainXml.Disk> copied = new LinkedHashMap<>();
        if (request.noDisks()) {
            return copied;
        }
        for (DomainXml.Disk disk : source.disks()) {
            if (!"disk".equals(disk.device())) {
                continue;
            }
            if (!disk.fileBacked()) {
                throw new BackupException("disk " + disk.target() + " of " + request.source() + " is not a file "
                        + "(a block device or network disk); replicate copies file-backed disks only. Use --no-disks "
                        + "and attach storage to the clone yourself");
            }
            copied.put(disk.target(), disk);
        }
        for (String target : request.disks().keySet()) {
            if (!copied.containsKey(target)) {
                throw new BackupException("--disk " + target + ": " + request.source() + " has no file-backed disk "
                        + target + " (it has " + copied.keySet() + ")");
            }
        }
        return copied;
    }

    /** The new path of every copied disk: explicit, in --disk-dir, or the source's with the name replaced. */
    private static Map<String, String> newPaths(String vm, Request request, Map<String, DomainXml.Disk> copied) {
        Map<String, String> paths = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (DomainXml.Disk disk : copied.values()) {
            String path = request.disks().get(disk.target());
            if (path == null) {
                Path original = Path.of(disk.file());
                String base = original.getFileName().toString();
                String renamed = base.contains(vm) ? base.replace(vm, request.name())
                        : request.name() + "-" + base;
                Path directory = request.diskDir() != null ? request.diskDir() : original.getParent();
                path = directory.resolve(renamed).toString();
            }
            if (!Path.of(path).isAbsolute()) {
                throw new BackupException("--disk " + disk.target() + "=" + path + ": give an absolute path");
            }
            if (path.equals(disk.file()) || !seen.add(path)) {
                throw new BackupException("disk " + disk.target() + " would be copied to " + path + ", which "
                        + (path.equals(disk.file()) ? "is the source disk itself" : "another disk uses too")
                        + "; choose another with --disk " + disk.target() + "=PATH");
            }
            paths.put(disk.target(), path);
        }
        return paths;
    }

    private BackupException cleanUp(String name, List<String> created, boolean defined, RuntimeException cause) {
        StringBuilder story = new StringBuilder(cause.getMessage());
        if (defined) {
            try {
                if (there.status(name).map(s -> s.state() != PowerState.SHUT_OFF).orElse(false)) {
                    there.destroy(name);
                }
                there.undefine(name);
            } catch (HypervisorException e) {
                story.append("; COULD NOT undefine the half-made clone ").append(name).append(": ")
                        .append(e.getMessage());
            }
        }
        List<String> left = new ArrayList<>();
        for (int i = created.size() - 1; i >= 0; i--) {
            if (!files.delete(created.get(i))) {
                left.add(created.get(i));
            }
        }
        story.append(left.isEmpty() ? "; nothing of the clone is left behind"
                : "; COULD NOT remove " + String.join(", ", left));
        Logger.tag(name).error("replicate failed: {}", story);
        return new BackupException(story.toString());
    }

    /**
     * Removes what a replicate cut off (SIGKILL, power loss) left: the clone it had defined, marked
     * unfinished, and the files of its definition (disks, their partial copies, NVRAM, TPM state),
     * all of which that run had created (it never copies onto an existing file).
     */
    private void rollBack(DomainXml leftover) {
        String name = leftover.name();
        List<String> paths = new ArrayList<>();
        for (DomainXml.Disk disk : leftover.disks()) {
            if (disk.fileBacked() && "disk".equals(disk.device())) {
                Path file = Path.of(disk.file());
                paths.add(file.toString());
                paths.add(file.resolveSibling("." + file.getFileName() + ".mvmm-partial").toString());
            }
        }
        leftover.nvram().ifPresent(paths::add);
        if (leftover.hasEmulatedTpm() && leftover.uuid() != null) {
            paths.add(SWTPM + leftover.uuid());
        }
        if (there.status(name).map(s -> s.state() != PowerState.SHUT_OFF).orElse(false)) {
            there.destroy(name);
        }
        there.undefine(name);
        for (String path : paths) {
            if (files.exists(path)) {
                files.delete(path);
            }
        }
        progress.accept("removed the unfinished clone " + name + " that an interrupted replicate had left");
        Logger.tag(name).warn("removed the unfinished clone {} left by an interrupted replicate", name);
    }

    private void restartSource(String vm) {
        try {
            if (here.status(vm).map(s -> s.state() == PowerState.SHUT_OFF).orElse(false)) {
                here.start(vm);
            }
            markers.remove(vm);
            progress.accept("source " + vm + " started again");
        } catch (HypervisorException e) {
            Logger.tag(vm).error("could not start the source again: {}", e.getMessage());
            progress.accept("source " + vm + " could NOT be started again: " + e.getMessage());
        }
    }
}
