package dev.mvmm.core.restore;

import dev.mvmm.core.backup.Archives;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.BackupRepository;
import dev.mvmm.core.backup.ChainFolder;
import dev.mvmm.core.backup.Stamps;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.domain.DomainXml;
import dev.mvmm.core.exec.CommandResult;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.Stopper;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.power.PowerMarker;
import dev.mvmm.core.power.PowerMarkers;
import dev.mvmm.core.power.PowerRestore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tinylog.Logger;

/**
 * {@code mvmm restore --in-place}. The chain is restored next to the live disks first, while the VM
 * still runs; only then is the VM stopped and each live image replaced by an atomic rename, the old
 * one kept under a second name (a hard link made beforehand, so the disk's path never goes missing).
 * libvirt's checkpoints are forgotten and bitmaps dropped so the next backup starts a clean chain, the
 * chain that described the old disk is archived, and the VM is started again if it was running. A
 * failure at any step before the VM is back puts the old images back and restarts the VM as it was.
 */
public final class InPlaceRestore {

    private final Hypervisor hypervisor;
    private final Tools tools;
    private final BackupRepository records;
    private final Clock clock;
    private final Stopper stopper;
    private final PowerMarkers markers;

    public InPlaceRestore(Hypervisor hypervisor, Tools tools, BackupRepository records, PowerMarkers markers,
            Clock clock, dev.mvmm.core.Sleeper sleeper) {
        this.hypervisor = hypervisor;
        this.markers = markers;
        this.tools = tools;
        this.records = records;
        this.clock = clock;
        this.stopper = new Stopper(hypervisor, clock, sleeper);
    }

    /** One disk put back: its live path and where the image it replaced is kept (null when discarded). */
    public record Replaced(String target, Path live, Path kept) {
    }

    public record Outcome(String checkpoint, List<Replaced> disks, boolean started, String archivedChain,
            String stopped) {
    }

    /**
     * @param chain       the stored chain to restore from (already fetched when off-site)
     * @param currentChain the VM's current chain directory, archived after the restore
     */
    public Outcome run(RestoreRequest request, Path chain, Path currentChain, Duration waitTime,
            boolean discardOld) {
        String vm = request.vm();
        VmStatus status = hypervisor.confirm(vm).orElseThrow(() -> new BackupException("this host has no VM " + vm
                + "; to restore its disks elsewhere use --to DIR (or --define NAME)"));
        boolean stoppedEarlier = false;
        PowerMarker left = markers.read(vm, currentChain.getParent()).orElse(null);
        if (left != null && left.restoreTo() == PowerState.RUNNING && status.state() != PowerState.RUNNING) {
            // Stopped by a cut-off operation (this restore's predecessor, say): it runs again after this one.
            stoppedEarlier = true;
            Logger.tag(vm).warn("VM is {}: {} stopped it and was cut off; it is started after this restore",
                    status.state().label(), left.describe());
        } else if (left != null && left.restoreTo() == PowerState.SHUT_OFF) {
            // Left paused by a cut-off backup: shut off again first, and restored as a shut-off VM.
            PowerRestore.Result restored = new PowerRestore(hypervisor, markers, vmName -> java.util.Optional.empty(),
                    clock).restore(left, waitTime.plusSeconds(30));
            if (restored.change() == PowerRestore.Change.LATER) {
                throw new BackupException(restored.story() + "; try again then");
            }
            Logger.tag(vm).info("power: {}", restored.story());
            status = hypervisor.confirm(vm).orElseThrow(() -> new BackupException("this host has no VM " + vm));
        }
        if (status.state() == PowerState.MIGRATING || status.state() == PowerState.LOCKED) {
            throw new BackupException("VM " + vm + " is " + status.state().label() + "; try again when it is not");
        }
        Map<String, DomainXml.Disk> live = liveDisks(vm, request.disk());
        Instant now = clock.instant();
        Path staging = Path.of(live.values().iterator().next().file()).resolveSibling(".mvmm-restore-" + vm + "-"
                + Stamps.of(now));
        Map<String, Path> ready = Map.of();
        try {
            Restore.Result restored = new Restore(tools).run(request.withTarget(staging), chain);
            ready = prepare(vm, restored, live);
            return replace(vm, status, restored.checkpoint(), ready, live, currentChain, waitTime, discardOld, now,
                    stoppedEarlier);
        } finally {
            // Converted copies outside the staging directory that did not make it into place.
            ready.values().stream().filter(image -> !image.startsWith(staging)).forEach(InPlaceRestore::delete);
            Archives.delete(staging);
        }
    }

    private Map<String, DomainXml.Disk> liveDisks(String vm, String only) {
        Map<String, DomainXml.Disk> disks = new LinkedHashMap<>();
        for (DomainXml.Disk disk : DomainXml.parse(hypervisor.inactiveDefinition(vm)).disks()) {
            if (disk.fileBacked() && "disk".equals(disk.device()) && (only == null || only.equals(disk.target()))) {
                disks.put(disk.target(), disk);
            }
        }
        if (disks.isEmpty()) {
            throw new BackupException("VM " + vm + " has no file-backed disk " + (only == null ? "" : only + " ")
                    + "to restore in place");
        }
        return disks;
    }

    /** Each restored image in the live disk's format, on the live disk's file system, ready to be renamed. */
    private Map<String, Path> prepare(String vm, Restore.Result restored, Map<String, DomainXml.Disk> live) {
        for (String target : restored.images().keySet()) {
            if (!live.containsKey(target)) {
                throw new BackupException("the backup holds disk " + target + ", which VM " + vm + " no longer has;"
                        + " restore it with --to DIR, or only the others with --disk");
            }
        }
        Map<String, Path> ready = new LinkedHashMap<>();
        for (DomainXml.Disk disk : live.values()) {
            Path image = restored.images().get(disk.target());
            if (image == null) {
                Logger.tag(vm).warn("disk {} is not in the backup; it is left as it is", disk.target());
                continue;
            }
            Path file = Path.of(disk.file());
            String format = tools.imageInfo(image.toString()).format();
            if (!format.equals(disk.format()) || !sameFileSystem(image, file)) {
                Path converted = file.resolveSibling("." + file.getFileName() + ".mvmm-restored");
                CommandResult result = tools.convert(image, converted, disk.format());
                if (!result.succeeded()) {
                    delete(converted);
                    throw new BackupException("cannot write the restored disk " + disk.target() + " as " + converted
                            + ": " + result.summary());
                }
                image = converted;
            }
            ready.put(disk.target(), image);
        }
        return ready;
    }

    private Outcome replace(String vm, VmStatus before, String checkpoint, Map<String, Path> ready,
            Map<String, DomainXml.Disk> live, Path currentChain, Duration waitTime, boolean discardOld, Instant now,
            boolean stoppedEarlier) {
        boolean wasRunning = before.state() == PowerState.RUNNING || stoppedEarlier;
        String stopped = null;
        if (before.state() != PowerState.SHUT_OFF) {
            if (wasRunning) {
                markers.write(PowerMarker.of(vm, "restore --in-place", PowerState.RUNNING, now));
            }
            stopped = stopper.stop(vm, waitTime);
            Logger.tag(vm).info("{} for the restore", stopped);
        }
        List<Replaced> done = new ArrayList<>();
        // With several disks, a cut between two renames leaves disks from two times: the marker says
        // so while they are replaced, and nothing but another restore starts the VM then.
        boolean several = wasRunning && ready.size() > 1;
        if (several) {
            markers.write(PowerMarker.of(vm, PowerMarker.REPLACING_DISKS, PowerState.RUNNING, now));
        }
        try {
            for (Map.Entry<String, Path> entry : ready.entrySet()) {
                Path file = Path.of(live.get(entry.getKey()).file());
                Path kept = file.resolveSibling(file.getFileName() + ".pre-restore." + Stamps.of(now));
                swap(entry.getValue(), file, kept);
                done.add(new Replaced(entry.getKey(), file, kept));
                Logger.tag(vm).info("disk {}: restored image in place; the old one is kept as {}", entry.getKey(),
                        kept);
            }
            if (several) {
                markers.write(PowerMarker.of(vm, "restore --in-place", PowerState.RUNNING, now));
            }
            forgetCheckpoints(vm, done);
            if (wasRunning) {
                hypervisor.start(vm);
                Logger.tag(vm).info("started on the restored disks");
            }
        } catch (RuntimeException e) {
            BackupException failure = rollBack(vm, done, wasRunning, e);
            if (!wasRunning || hypervisor.status(vm).map(VmStatus::isRunning).orElse(false)) {
                markers.remove(vm);
            }
            throw failure;
        }
        markers.remove(vm);
        String archived = archiveChain(vm, currentChain, now);
        List<Replaced> result = new ArrayList<>();
        for (Replaced replaced : done) {
            if (discardOld) {
                delete(replaced.kept());
                result.add(new Replaced(replaced.target(), replaced.live(), null));
            } else {
                result.add(replaced);
            }
        }
        return new Outcome(checkpoint, result, wasRunning, archived, stopped);
    }

    /** The old image gets a second name first; the rename over the live name is then atomic. */
    private static void swap(Path restored, Path file, Path kept) {
        try {
            PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
            PosixFileAttributeView view = Files.getFileAttributeView(restored, PosixFileAttributeView.class);
            view.setOwner(attributes.owner());
            view.setGroup(attributes.group());
            view.setPermissions(attributes.permissions());
            Files.createLink(kept, file);
            Files.move(restored, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            delete(kept);
            throw new BackupException("cannot put the restored image in place of " + file + ": " + e);
        }
    }

    private void forgetCheckpoints(String vm, List<Replaced> disks) {
        List<String> checkpoints = tools.checkpoints(vm);
        for (int i = checkpoints.size() - 1; i >= 0; i--) {
            tools.deleteCheckpointMetadata(vm, checkpoints.get(i));
        }
        for (Replaced disk : disks) {
            for (String bitmap : tools.imageInfo(disk.live().toString()).bitmaps()) {
                tools.removeBitmap(disk.live().toString(), bitmap);
            }
        }
        if (!checkpoints.isEmpty()) {
            Logger.tag(vm).info("forgot the checkpoints {}: the next backup starts a new chain", checkpoints);
        }
    }

    private BackupException rollBack(String vm, List<Replaced> done, boolean wasRunning, RuntimeException cause) {
        StringBuilder story = new StringBuilder(cause.getMessage());
        boolean intact = true;
        for (int i = done.size() - 1; i >= 0; i--) {
            Replaced replaced = done.get(i);
            try {
                Files.move(replaced.kept(), replaced.live(), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                intact = false;
                story.append("; COULD NOT put back ").append(replaced.live()).append(" (the original is ")
                        .append(replaced.kept()).append("): ").append(e.getMessage());
            }
        }
        if (intact) {
            story.append("; the original disks are back in place");
        }
        if (wasRunning) {
            try {
                if (hypervisor.status(vm).map(s -> s.state() == PowerState.SHUT_OFF).orElse(false)) {
                    hypervisor.start(vm);
                }
                story.append(" and the VM runs again");
            } catch (HypervisorException e) {
                story.append(" but the VM did not start again: ").append(e.getMessage());
            }
        }
        Logger.tag(vm).error("in-place restore failed: {}", story);
        return new BackupException(story.toString());
    }

    /** The chain described the disks as they were; it no longer matches them and becomes an archive. */
    private String archiveChain(String vm, Path currentChain, Instant now) {
        if (currentChain == null || !Files.isDirectory(currentChain)
                || ChainFolder.read(currentChain, vm).checkpoints().isEmpty()) {
            return null;
        }
        try {
            String chainId = records.currentChain(vm);
            Path archived = Archives.archive(currentChain, now);
            if (chainId != null) {
                records.chainArchived(vm, chainId, now, archived.toString());
            }
            Logger.tag(vm).info("archived the chain as {}: it described the disks before the restore",
                    archived.getFileName());
            return archived.getFileName().toString();
        } catch (BackupException e) {
            Logger.tag(vm).warn("could not archive the old chain ({}); the next backup will", e.getMessage());
            return null;
        }
    }

    private static boolean sameFileSystem(Path a, Path b) {
        try {
            return Files.getFileStore(a).equals(Files.getFileStore(b.getParent()));
        } catch (IOException e) {
            return false;
        }
    }

    private static void delete(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            Logger.warn("could not delete {}: {}", file, e.getMessage());
        }
    }
}
