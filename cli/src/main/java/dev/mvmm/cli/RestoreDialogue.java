package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.Prompter;
import dev.mvmm.core.VmNames;
import dev.mvmm.core.backup.Archives;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.backup.ChainFolder;
import dev.mvmm.core.backup.RemoteSync;
import dev.mvmm.core.backup.Retention;
import dev.mvmm.core.backup.Stamps;
import dev.mvmm.core.backup.SyncException;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.domain.DomainXml;
import dev.mvmm.core.restore.Restore;
import dev.mvmm.core.restore.RestoreJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The questions {@code mvmm restore} asks on a terminal when no VM is given, in vm-restore's order:
 * which VM, which chain (local or off-site), which checkpoint, which disks, where to, keep the old
 * images; then a summary to confirm. Nothing is changed before the final yes.
 */
final class RestoreDialogue {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");
    private static final Pattern ARCHIVE = Pattern.compile("(.+)\\.(" + Stamps.PATTERN + ")");

    /** The plan the answers make. */
    record Answers(RestoreJob.Plan plan) {
    }

    private final Prompter prompter;
    private final Context context;

    RestoreDialogue(Prompter prompter, Context context) {
        this.prompter = prompter;
        this.context = context;
    }

    Answers ask() {
        Configuration configuration = context.configuration();
        List<String> vms = vmsWithBackups(configuration);
        if (vms.isEmpty()) {
            throw new BackupException("no backups found under any configured backup_path");
        }
        String vm = vms.get(prompter.choose("Which VM?", vms, 0));
        BackupSettings settings = BackupSettings.from(configuration.vm(vm).map(VmConfig::settings)
                .orElse(configuration.global()));

        List<String> chains = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Boolean> remote = new ArrayList<>();
        ChainFolder current = ChainFolder.read(settings.backupPath().resolve(vm), vm);
        if (!current.checkpoints().isEmpty()) {
            chains.add(vm);
            labels.add("current chain (" + current.checkpoints().size() + " checkpoints)");
            remote.add(false);
        }
        List<Retention.Item> archives = new ArrayList<>(Archives.list(settings.backupPath(), vm));
        archives.sort((a, b) -> b.time().compareTo(a.time()));
        for (Retention.Item archive : archives) {
            chains.add(archive.name());
            labels.add("archived chain " + archive.name() + " (archived " + format(archive.time()) + ")");
            remote.add(false);
        }
        if (settings.remote() != null) {
            try {
                for (String name : RemoteSync.chains(vm, settings.remote().open().list())) {
                    chains.add(name);
                    labels.add("off-site copy of " + (name.equals(vm) ? "the current chain" : name));
                    remote.add(true);
                }
            } catch (SyncException e) {
                prompter.say("  (the off-site copy cannot be listed: " + e.getMessage() + ")");
            }
        }
        if (chains.isEmpty()) {
            throw new BackupException("no chain of " + vm + " holds a checkpoint");
        }
        int chosenChain = prompter.choose("Which chain?", labels, 0);
        String chain = chains.get(chosenChain);
        boolean fromRemote = remote.get(chosenChain);
        Path source = settings.backupPath().resolve(chain);
        Path fetched = null;
        if (fromRemote) {
            prompter.say("Fetching " + chain + " from the off-site copy...");
            fetched = RestoreJob.fetch(settings, vm, chain);
            source = fetched;
        }
        try {
            return ask(vm, settings, chain, fromRemote, source, fetched);
        } catch (RuntimeException e) {
            if (fetched != null) {
                Archives.delete(fetched);
            }
            throw e;
        }
    }

    private Answers ask(String vm, BackupSettings settings, String chain, boolean fromRemote, Path source,
            Path fetched) {
        List<Restore.Point> points = Restore.points(source, vm);
        if (points.isEmpty()) {
            throw new BackupException("chain " + chain + " holds no checkpoint");
        }
        List<String> pointLabels = new ArrayList<>();
        for (Restore.Point point : points) {
            pointLabels.add(point.name() + (point.at() == null ? "" : "  taken " + format(point.at())));
        }
        String checkpoint = points.get(prompter.choose("Restore up to which checkpoint?", pointLabels,
                points.size() - 1)).name();

        List<String> disks = savedDisks(source);
        String disk = null;
        if (disks.size() > 1) {
            List<String> diskLabels = new ArrayList<>();
            diskLabels.add("all disks (" + String.join(", ", disks) + ")");
            disks.forEach(d -> diskLabels.add("only " + d));
            int chosen = prompter.choose("Which disks?", diskLabels, 0);
            disk = chosen == 0 ? null : disks.get(chosen - 1);
        }

        boolean onHost = context.hypervisor().status(vm).isPresent();
        List<String> where = new ArrayList<>();
        where.add("into a new directory (the VM is not touched)");
        where.add("as a new VM (new name, UUID and MAC addresses)");
        if (onHost) {
            where.add("in place: replace the live disks of " + vm + " (it is shut down for the restore)");
        }
        int destination = prompter.choose("Restore where?", where, 0);
        RestoreJob.Mode mode = destination == 0 ? RestoreJob.Mode.DIRECTORY
                : destination == 1 ? RestoreJob.Mode.DEFINE : RestoreJob.Mode.IN_PLACE;
        Path target = null;
        String define = null;
        boolean discardOld = false;
        if (mode == RestoreJob.Mode.DIRECTORY) {
            target = Path.of(prompter.ask("Directory", RestoreJob.defaultDirectory(settings, vm,
                    context.clock().instant()).toString()));
        } else if (mode == RestoreJob.Mode.DEFINE) {
            while (define == null) {
                String name = prompter.ask("Name of the new VM", vm + "-restored");
                if (!VmNames.isSafe(name)) {
                    prompter.say("  " + VmNames.problem(name));
                } else if (context.hypervisor().status(name).isPresent()) {
                    prompter.say("  a VM named " + name + " exists already");
                } else {
                    define = name;
                }
            }
        } else {
            discardOld = !prompter.confirm("Keep the old disk images (renamed <disk>.pre-restore.<time>)?", true);
        }

        prompter.say("");
        prompter.say("Restore " + vm + " from " + (fromRemote ? "the off-site copy of " : "") + chain + " up to "
                + checkpoint + (disk == null ? "" : ", disk " + disk) + " "
                + switch (mode) {
                    case DIRECTORY -> "into " + target;
                    case DEFINE -> "as the new VM " + define;
                    case IN_PLACE -> "in place of its live disks" + (discardOld ? ", discarding the old images"
                            : ", keeping the old images");
                });
        if (!prompter.confirm("Go ahead?", false)) {
            throw new Prompter.Aborted();
        }
        return new Answers(new RestoreJob.Plan(vm, chain, fromRemote, checkpoint, null, disk, mode, target, define,
                discardOld, fetched));
    }

    private static List<String> savedDisks(Path chain) {
        Path config = ChainFolder.read(chain, "").latestConfig();
        if (config == null) {
            return List.of();
        }
        try {
            return DomainXml.parse(Files.readString(config)).disks().stream()
                    .filter(d -> d.fileBacked() && "disk".equals(d.device())).map(DomainXml.Disk::target).toList();
        } catch (IOException | IllegalArgumentException e) {
            return List.of();
        }
    }

    /** VMs with a current or archived chain in any configured backup_path, sorted. */
    private static List<String> vmsWithBackups(Configuration configuration) {
        TreeSet<Path> paths = new TreeSet<>();
        Optional.ofNullable(BackupSettings.from(configuration.global()).backupPath()).ifPresent(paths::add);
        for (VmConfig vm : configuration.vms()) {
            Optional.ofNullable(BackupSettings.from(vm.settings()).backupPath()).ifPresent(paths::add);
        }
        TreeSet<String> vms = new TreeSet<>();
        for (Path path : paths) {
            try (var entries = Files.list(path)) {
                entries.filter(Files::isDirectory).forEach(dir -> {
                    String name = dir.getFileName().toString();
                    Matcher archive = ARCHIVE.matcher(name);
                    String vm = archive.matches() ? archive.group(1) : name;
                    if (Files.isRegularFile(dir.resolve(vm + ".cpt"))) {
                        vms.add(vm);
                    }
                });
            } catch (IOException e) {
                // A backup_path that does not exist yet holds no backups.
            }
        }
        return new ArrayList<>(vms);
    }

    private static String format(java.time.Instant at) {
        return TIME.format(at.atZone(ZoneId.systemDefault()));
    }
}
