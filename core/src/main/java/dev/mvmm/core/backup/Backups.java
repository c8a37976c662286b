package dev.mvmm.core.backup;

import dev.mvmm.core.config.Durations;
import dev.mvmm.core.exec.CommandResult;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.lock.VmLock;
import dev.mvmm.core.notify.Event;
import dev.mvmm.core.power.PowerMarker;
import dev.mvmm.core.power.PowerRestore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.tinylog.Logger;

/**
 * {@code mvmm backup}: each VM on its own, under its lock — check the chain, repair, archive or
 * start anew as {@link ChainCheck} decides, back up with virtnbdbackup, check that the backup is
 * really there, rotate and prune, record. One VM's failure never stops the others.
 */
public final class Backups {

    private final BackupServices services;

    public Backups(BackupServices services) {
        this.services = services;
    }

    /** One VM to back up, with its settings. */
    public record Target(String vm, BackupSettings settings) {
    }

    public List<VmBackup> run(List<Target> targets, boolean full, boolean dryRun) {
        return run(targets, full, dryRun, false);
    }

    /** @param syncOnly take no backups; only bring the off-site copies in line */
    public List<VmBackup> run(List<Target> targets, boolean full, boolean dryRun, boolean syncOnly) {
        List<VmBackup> outcomes = new ArrayList<>();
        for (Target target : targets) {
            Instant start = services.clock().instant();
            attempted = null;
            try {
                outcomes.add(backup(target, full, dryRun, syncOnly, start));
            } catch (BackupException | dev.mvmm.core.host.HypervisorException
                    | dev.mvmm.core.power.PowerMarkerException e) {
                outcomes.add(failedBeforeBackup(target.vm(), e.getMessage(), start, dryRun));
            } catch (RuntimeException e) {
                Logger.tag(target.vm()).error(e, "backup failed unexpectedly");
                outcomes.add(failedBeforeBackup(target.vm(), "unexpected failure: " + e, start, dryRun));
            }
        }
        return outcomes;
    }

    /** The level the current VM's backup was going to take, once known; "check" before. */
    private String attempted;

    /**
     * A backup that failed before or around virtnbdbackup (a missing tool, an old libvirt, a failed
     * repair, a hypervisor error, no room): recorded and notified like a failed backup, so that
     * {@code stats} does not go on showing the previous success. A dry run records nothing.
     */
    private VmBackup failedBeforeBackup(String vm, String why, Instant start, boolean dryRun) {
        String level = attempted == null ? "check" : attempted;
        if (!dryRun) {
            try {
                services.records().backup(vm, services.records().currentChain(vm), level, start,
                        services.clock().instant(), null, "failed", why);
            } catch (RuntimeException e) {
                Logger.tag(vm).error("cannot record the failed backup: {}", e.getMessage());
            }
            notify("backup-failure", vm, Event.Level.CRITICAL, level + " backup failed: " + why);
        }
        return failed(vm, "check".equals(level) ? null : level, null, why, start);
    }

    private VmBackup backup(Target target, boolean full, boolean dryRun, boolean syncOnly, Instant start) {
        String vm = target.vm();
        BackupSettings settings = target.settings();
        String unsafe = dev.mvmm.core.VmNames.problem(vm);
        if (unsafe != null) {
            // A domain listed by the hypervisor may have any name: one that could climb out of backup_path
            // (..), or be read as an option (-x), gets no chain, lock or command line of its own; it is
            // reported under a printable form of its name (a newline or an escape would forge output).
            String shown = dev.mvmm.core.config.Shown.printable(vm);
            Logger.tag(shown).error("backup refused: {}", unsafe);
            return new VmBackup(shown, VmBackup.Result.FAILED, null, null, unsafe, null, Duration.ZERO);
        }
        if (settings.ignored()) {
            return skipped(vm, "ignored=true");
        }
        if (settings.backupPath() == null) {
            return skipped(vm, "no backup_path configured");
        }
        // A sync only runs rsync (and ssh): it must work on a host that has only those.
        String missing = syncOnly ? null : services.tools().missingProgram();
        if (missing != null) {
            throw new BackupException(missing + " is not installed; install it (apt-get install virtnbdbackup "
                    + "qemu-utils libvirt-clients)");
        }
        Optional<VmLock> lock = services.locks().tryLock(vm, "backup");
        if (lock.isEmpty()) {
            String holder = services.locks().holder(vm).map(Object::toString).orElse("another mvmm process");
            return new VmBackup(vm, VmBackup.Result.BUSY, null, null, "busy: locked by " + holder, null, Duration.ZERO);
        }
        try (VmLock held = lock.get()) {
            Optional<ProcessHandle> orphan = runningBackup(vm);
            if (orphan.isPresent()) {
                // A virtnbdbackup outlived the mvmm that started it (killed): let it finish first.
                return new VmBackup(vm, VmBackup.Result.BUSY, null, null, "busy: virtnbdbackup (pid "
                        + orphan.get().pid() + ") is still running for this VM", null, Duration.ZERO);
            }
            VmBackup outcome = syncOnly ? skipped(vm, "no new backup (--sync-only)")
                    : backupLocked(vm, settings, full, dryRun, start);
            if (settings.remote() != null && !dryRun && (syncOnly || outcome.result() == VmBackup.Result.OK)) {
                outcome = sync(vm, settings, outcome);
            }
            return outcome;
        }
    }

    /** The off-site copy: its failure is reported and retried next run; the local chain is never touched. */
    private VmBackup sync(String vm, BackupSettings settings, VmBackup outcome) {
        Instant start = services.clock().instant();
        String chain = services.records().currentChain(vm);
        try {
            String done = new RemoteSync(settings.remote().open(), services.clock(), services.records())
                    .sync(vm, settings.backupPath(), settings.remote().maxChains());
            services.records().backup(vm, chain, "sync", start, services.clock().instant(), null, "ok", done);
            Logger.tag(vm).info("off-site copy: {}", done);
            return outcome.withSync(done, false);
        } catch (SyncException | dev.mvmm.core.exec.CommandFailure e) {
            return syncFailed(vm, outcome, chain, start, e.getMessage());
        } catch (RuntimeException e) {
            return syncFailed(vm, outcome, chain, start, e.toString());
        }
    }

    private VmBackup syncFailed(String vm, VmBackup outcome, String chain, Instant start, String why) {
        services.records().backup(vm, chain, "sync", start, services.clock().instant(), null, "failed", why);
        notify("sync-failure", vm, Event.Level.CRITICAL, "off-site copy failed, retried next run: " + why);
        Logger.tag(vm).error("off-site copy failed (retried next run): {}", why);
        return outcome.withSync("failed: " + why, true);
    }

    private VmBackup backupLocked(String vm, BackupSettings settings, boolean full, boolean dryRun, Instant start) {
        // A VM a cut-off operation left paused or stopped is put back first. A dry run changes nothing: it
        // plans as if the VM were back as it was.
        PowerMarker left = (dryRun ? services.markers().peek(vm, settings.backupPath())
                : services.markers().read(vm, settings.backupPath())).orElse(null);
        String putBack = null;
        if (left != null && !dryRun) {
            Duration grace = (settings.waitTime() == null ? Duration.ZERO : settings.waitTime()).plusSeconds(30);
            PowerRestore.Result restored = new PowerRestore(services.hypervisor(), services.markers(),
                    Backups::runningBackup, services.clock()).restore(left, grace);
            if (restored.change() == PowerRestore.Change.LATER) {
                return new VmBackup(vm, VmBackup.Result.BUSY, null, null, "busy: " + restored.story(), null,
                        Duration.ZERO);
            }
            Logger.tag(vm).info("power: {}", restored.story());
        }
        if (!dryRun) {
            Archives.finishDeletions(settings.backupPath(), vm);
        }
        VmStatus status = services.hypervisor().status(vm).orElse(null);
        if (status == null) {
            return skipped(vm, "not on this host");
        }
        if (dryRun && left != null && status.state() != left.restoreTo()) {
            putBack = "would put the VM " + left.restoreTo().label() + " again (" + left.describe() + " left it "
                    + status.state().label() + "), then ";
            status = new VmStatus(vm, left.restoreTo(), status.runId(), status.persistent());
        }
        if (status.state() != PowerState.RUNNING && status.state() != PowerState.SHUT_OFF) {
            return skipped(vm, status.state().label() + ": backed up when running or shut off");
        }
        String xml = services.hypervisor().definition(vm);
        if (!dryRun) {
            xml = CapabilityRestart.ensure(services, vm, settings, status.isRunning(), xml);
        }
        DomainDisks domain = DomainDisks.parse(xml);
        List<DomainDisks.Disk> disks = domain.disks().stream().filter(DomainDisks.Disk::fileBacked).toList();
        if (disks.isEmpty()) {
            return skipped(vm, "no file-backed disks");
        }
        Path chainDir = settings.backupPath().resolve(vm);
        ChainFolder folder = ChainFolder.read(chainDir, vm);
        boolean running = status.isRunning();
        // The chain check's programs run side by side: virsh lists libvirt's checkpoints (and, for a running VM,
        // reads the sizes of the chain's newest checkpoint, used only if libvirt still has it) while qemu-img
        // reads the disks. Each is a process start of 20-100 ms; in a row they were most of the check.
        CompletableFuture<List<String>> libvirt = CompletableFuture.supplyAsync(
                () -> services.tools().checkpoints(vm), Backups::thread);
        String newest = folder.checkpoints().isEmpty() ? null : folder.checkpoints().get(folder.checkpoints().size() - 1);
        CompletableFuture<List<String>> unsized = running && newest != null ? CompletableFuture.supplyAsync(
                () -> services.tools().brokenBitmaps(vm, newest), Backups::thread) : null;
        Map<String, Tools.ImageInfo> images = new LinkedHashMap<>();
        for (DomainDisks.Disk disk : disks) {
            images.put(disk.target(), services.tools().imageInfo(disk.file()));
        }
        if (dryRun) {
            long[] versions = services.hypervisor().versions();
            String unsupported = IncrementalSupport.problem(versions[0], versions[1], vm, xml);
            if (unsupported != null) {
                throw new BackupException(unsupported);
            }
        }
        boolean incremental = images.values().stream().allMatch(Tools.ImageInfo::holdsBitmaps);
        ChainPlan plan;
        if (!incremental) {
            plan = new ChainPlan.NewChain(folder.holdsData() ? ChainPlan.Previous.ARCHIVE : folder.exists()
                    ? ChainPlan.Previous.DELETE : ChainPlan.Previous.NONE, false,
                    "disks without persistent bitmaps (raw or qcow2 v2): a full copy every time");
        } else {
            plan = ChainCheck.decide(ChainFindings.gather(vm, folder, domain, disks, images, running, join(libvirt),
                    unsized == null ? null : join(unsized)), full, settings.maxBackupsPerChain());
        }
        String level = !incremental ? "copy" : plan instanceof ChainPlan.NewChain ? "full" : "inc";
        Logger.tag(vm).info("{} backup: {}", level, plan.reason());
        attempted = level;
        if (dryRun) {
            // As the real run: archive the current chain first, then prune with it among the archives.
            List<String> pruned = plan instanceof ChainPlan.NewChain
                    && ((ChainPlan.NewChain) plan).previous() == ChainPlan.Previous.ARCHIVE
                    ? Archives.pruneAfterArchiving(settings.backupPath(), vm, settings, services.clock().getZone(),
                            services.clock().instant()) : List.of();
            return new VmBackup(vm, VmBackup.Result.PLANNED, level, plan.reason(), (putBack != null ? putBack : "")
                    + "would take a " + level
                    + " backup" + (pruned.isEmpty() ? "" : "; retention would delete " + pruned), null, Duration.ZERO);
        }
        checkSpace(vm, settings.backupPath(), images, level);
        String chain = prepare(vm, settings, plan, folder, disks, images, running, libvirt);
        // Judge the backup against the chain as prepare() left it: a repair dropped a checkpoint.
        VmBackup outcome = take(vm, settings, level, chain, chainDir, ChainFolder.read(chainDir, vm), disks, running,
                plan, start);
        if (!running && settings.autostart()) {
            services.hypervisor().start(vm);
            Logger.tag(vm).info("started after its backup (autostart=true)");
        }
        return outcome;
    }

    /** Carries out the plan's repair, archive or delete; returns the chain id to record under. */
    private String prepare(String vm, BackupSettings settings, ChainPlan plan, ChainFolder folder,
            List<DomainDisks.Disk> disks, Map<String, Tools.ImageInfo> images, boolean running,
            CompletableFuture<List<String>> libvirt) {
        Instant now = services.clock().instant();
        if (plan instanceof ChainPlan.Repair) {
            repair(vm, ((ChainPlan.Repair) plan).checkpoint(), folder, disks, images, running);
            return currentChain(vm, folder);
        }
        if (plan instanceof ChainPlan.Extend) {
            return currentChain(vm, folder);
        }
        ChainPlan.NewChain fresh = (ChainPlan.NewChain) plan;
        String previous = services.records().currentChain(vm);
        if (fresh.previous() == ChainPlan.Previous.ARCHIVE) {
            if (fresh.cutOff() != null) {
                // --full over a cut-off incremental: the archive keeps the chain as a repair would, restorable.
                repair(vm, fresh.cutOff(), folder, disks, images, running);
            }
            if (previous == null) {
                // A chain no run recorded (an older mvmm, a new state database): adopt it, so its archive counts.
                previous = currentChain(vm, folder);
            }
            Path archived = Archives.archive(folder.directory(), now);
            Logger.tag(vm).info("archived the chain as {} ({})", archived.getFileName(), fresh.reason());
            if (previous != null) {
                services.records().chainArchived(vm, previous, now, archived.toString());
            }
            if (fresh.broken()) {
                notify("chain-archived", vm, Event.Level.WARNING, "chain archived as " + archived.getFileName()
                        + " because " + fresh.reason() + "; a new full chain starts");
            }
            for (String gone : Archives.prune(settings.backupPath(), vm, settings, services.clock().getZone(), false)) {
                services.records().chainDeleted(vm, settings.backupPath().resolve(gone).toString(), now);
            }
        } else if (fresh.previous() == ChainPlan.Previous.DELETE) {
            Logger.tag(vm).warn("deleting {}: it holds nothing restorable ({})", folder.directory(), fresh.reason());
            Archives.discard(folder.directory());
        }
        // What the chain check read still holds unless a repair just dropped a checkpoint: no second reading.
        boolean unchanged = fresh.cutOff() == null;
        StaleCheckpoints.clean(services.tools(), vm, disks, running, unchanged ? join(libvirt) : null,
                unchanged ? images : null);
        return null;
    }

    private String currentChain(String vm, ChainFolder folder) {
        String chain = services.records().currentChain(vm);
        if (chain == null) {
            // A chain made before mvmm recorded chains: adopt it.
            chain = Stamps.of(folder.newest() == null ? services.clock().instant() : folder.newest());
            services.records().chainStarted(vm, chain, services.clock().instant(), folder.directory().toString());
        }
        return chain;
    }

    /** Drops a cut-off incremental: its partial files, its files and .cpt entry, its checkpoint and bitmaps. */
    private void repair(String vm, String checkpoint, ChainFolder folder, List<DomainDisks.Disk> disks,
            Map<String, Tools.ImageInfo> images, boolean running) {
        try (var files = Files.walk(folder.directory())) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".partial") || name.contains(checkpoint + ".")) {
                    Files.delete(file);
                }
            }
            List<String> kept = new ArrayList<>(folder.checkpoints());
            kept.remove(checkpoint);
            Files.writeString(folder.directory().resolve(vm + ".cpt"),
                    new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(kept));
        } catch (IOException e) {
            throw new BackupException("cannot repair the chain in " + folder.directory() + ": " + e.getMessage());
        }
        if (services.tools().checkpoints(vm).contains(checkpoint)) {
            if (running) {
                services.tools().deleteCheckpoint(vm, checkpoint);
            } else {
                services.tools().deleteCheckpointMetadata(vm, checkpoint);
            }
        }
        if (!running) {
            for (DomainDisks.Disk disk : disks) {
                if (images.get(disk.target()).bitmaps().contains(checkpoint)) {
                    services.tools().removeBitmap(disk.file(), checkpoint);
                }
            }
        }
        Logger.tag(vm).info("repaired the chain: dropped the cut-off checkpoint {}", checkpoint);
    }

    private boolean warnedOpen;

    /** Backups hold whatever the VMs' disks hold: say so, once a run, when every user can read them. */
    private void warnIfOpen(Path backupPath) {
        if (!warnedOpen && dev.mvmm.core.PrivateFiles.openToOthers(backupPath)) {
            warnedOpen = true;
            Logger.warn("{} can be read by every user of this host, and backups hold whatever the VMs' disks hold; "
                    + "make it private: chmod o-rwx {}", backupPath, backupPath);
        }
    }

    private void checkSpace(String vm, Path backupPath, Map<String, Tools.ImageInfo> images, String level) {
        try {
            dev.mvmm.core.PrivateFiles.createDirectories(backupPath);
            warnIfOpen(backupPath);
            long free = Files.getFileStore(backupPath).getUsableSpace();
            long used = images.values().stream().mapToLong(Tools.ImageInfo::actualSize).sum();
            long needed = "inc".equals(level) ? used / 10 : used;
            if (free < needed) {
                String message = "not enough space in " + backupPath + ": " + free / 1048576 + " MiB free, about "
                        + needed / 1048576 + " MiB needed for a " + level + " backup";
                notify("low-space", vm, Event.Level.CRITICAL, message);
                throw new BackupException(message);
            }
        } catch (IOException e) {
            throw new BackupException("cannot use backup_path " + backupPath + ": " + e.getMessage());
        }
    }

    private VmBackup take(String vm, BackupSettings settings, String level, String chain, Path chainDir,
            ChainFolder before, List<DomainDisks.Disk> disks, boolean running, ChainPlan plan, Instant start) {
        boolean startedPaused = false;
        if (!running && !"copy".equals(level)) {
            // Every backup of a shut-off VM runs with QEMU started paused (the guest never runs), so that it
            // gets its own checkpoint. virtnbdbackup 1.9's truly offline incremental makes none and names its
            // file after the last checkpoint, overwriting the previous incremental's data (seen here).
            services.markers().write(PowerMarker.of(vm, "backup", PowerState.SHUT_OFF, start));
            services.hypervisor().startPaused(vm);
            startedPaused = true;
        }
        if (running && services.tools().abortLeftoverBackupJob(vm)) {
            // Under the lock, and no virtnbdbackup runs for the VM (looked at above): the job is no one's.
            Logger.tag(vm).warn("ended a backup job the VM still had with no virtnbdbackup behind it (libvirtd "
                    + "restarted during an earlier backup?)");
        }
        Map<String, String> stored = storedFiles(chainDir);
        CommandResult result;
        try {
            result = services.tools().virtnbdbackup(vm, level, chainDir, settings.virtnbdbackupArgs());
        } finally {
            if (startedPaused) {
                services.hypervisor().destroy(vm);
                services.markers().remove(vm);
            }
        }
        ChainFolder after = ChainFolder.read(chainDir, vm);
        String problem = problem(result, level, before, after, running || startedPaused);
        if (problem == null) {
            problem = overwritten(stored, storedFiles(chainDir));
        }
        if (problem == null && settings.verify()) {
            problem = Verification.verify(services.tools(), chainDir, disks, !running && !startedPaused, null);
        }
        Instant end = services.clock().instant();
        if (chain == null) {
            chain = Stamps.of(start);
            if (problem == null) {
                services.records().chainStarted(vm, chain, start, chainDir.toString());
            }
        }
        if (problem != null) {
            services.records().backup(vm, chain, level, start, end, null, "failed", problem);
            notify("backup-failure", vm, Event.Level.CRITICAL, level + " backup failed: " + problem);
            return failed(vm, level, plan.reason(), problem, start);
        }
        long bytes = Math.max(0, after.bytes() - (plan instanceof ChainPlan.NewChain ? 0 : before.bytes()));
        services.records().backup(vm, chain, level, start, end, bytes, "ok", plan.reason());
        Logger.tag(vm).info("{} backup done in {} ({} bytes)", level, Durations.format(Duration.between(start, end)),
                bytes);
        return new VmBackup(vm, VmBackup.Result.OK, level, plan.reason(), level + " backup of " + disks.size()
                + " disk(s) into " + chainDir, bytes, Duration.between(start, end));
    }

    /** Why a finished virtnbdbackup run is not a good backup, or null. */
    private static String problem(CommandResult result, String level, ChainFolder before, ChainFolder after,
            boolean online) {
        if (!result.succeeded()) {
            return "virtnbdbackup failed: " + result.summary();
        }
        if (!after.partialFiles().isEmpty()) {
            return "virtnbdbackup left partial files " + after.partialFiles();
        }
        if ("full".equals(level) && (after.checkpoints().size() != 1 || !after.hasFull())) {
            return "the full backup left no complete chain (checkpoints " + after.checkpoints() + ")";
        }
        if ("inc".equals(level) && online && after.checkpoints().size() != before.checkpoints().size() + 1) {
            return "the incremental backup did not add a checkpoint (" + before.checkpoints() + " then, "
                    + after.checkpoints() + " now)";
        }
        if ("copy".equals(level) && !after.holdsData()) {
            return "the copy backup wrote no data";
        }
        return null;
    }

    private static void thread(Runnable work) {
        Thread thread = new Thread(work, "mvmm-chain-check");
        thread.setDaemon(true);
        thread.start();
    }

    /** The result of a reading run beside others, its failure thrown as it would have been in line. */
    private static <T> T join(CompletableFuture<T> reading) {
        try {
            return reading.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** A virtnbdbackup process working on this VM, if one runs (one may outlive a killed mvmm). */
    public static Optional<ProcessHandle> runningBackup(String vm) {
        return ProcessHandle.allProcesses().filter(process -> {
            List<String> arguments = process.info().arguments().map(List::of).orElse(List.of());
            String command = process.info().command().orElse("");
            boolean virtnbdbackup = command.endsWith("virtnbdbackup") || arguments.stream().anyMatch(
                    argument -> argument.endsWith("/virtnbdbackup") || argument.equals("virtnbdbackup"));
            // --domain=VM since mvmm attaches values to their options; -d VM from a process an older one started.
            int domain = Math.max(arguments.indexOf("-d"), arguments.indexOf("--domain"));
            return virtnbdbackup && (arguments.contains("--domain=" + vm)
                    || domain >= 0 && domain + 1 < arguments.size() && arguments.get(domain + 1).equals(vm));
        }).findFirst();
    }

    /** Size and modification time of every data file already in the chain. */
    private static Map<String, String> storedFiles(Path chainDir) {
        Map<String, String> files = new LinkedHashMap<>();
        if (!Files.isDirectory(chainDir)) {
            return files;
        }
        try (var entries = Files.list(chainDir)) {
            for (Path file : (Iterable<Path>) entries::iterator) {
                if (file.getFileName().toString().endsWith(".data")) {
                    files.put(file.getFileName().toString(), Files.size(file) + "@"
                            + Files.getLastModifiedTime(file).toMillis());
                }
            }
        } catch (IOException e) {
            throw new BackupException("cannot read the chain in " + chainDir + ": " + e.getMessage());
        }
        return files;
    }

    /** A backup must only add files: a changed or vanished earlier one means a complete backup was damaged. */
    private static String overwritten(Map<String, String> before, Map<String, String> after) {
        for (Map.Entry<String, String> file : before.entrySet()) {
            if (!file.getValue().equals(after.get(file.getKey()))) {
                return "virtnbdbackup changed the earlier backup file " + file.getKey()
                        + "; the chain is no longer trustworthy and will be archived by the next run";
            }
        }
        return null;
    }

    private void notify(String type, String vm, Event.Level level, String message) {
        try {
            services.notifier().notify(new Event(type, vm, level, vm + ": " + message));
        } catch (RuntimeException e) {
            Logger.tag(vm).warn("notification failed: {}", e.getMessage());
        }
    }

    private static VmBackup skipped(String vm, String why) {
        return new VmBackup(vm, VmBackup.Result.SKIPPED, null, null, why, null, Duration.ZERO);
    }

    private VmBackup failed(String vm, String level, String plan, String why, Instant start) {
        Logger.tag(vm).error("backup failed: {}", why);
        return new VmBackup(vm, VmBackup.Result.FAILED, level, plan, why, null,
                Duration.between(start, services.clock().instant()));
    }
}
