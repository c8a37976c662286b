package dev.mvmm.core.restore;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.VmNames;
import dev.mvmm.core.backup.Archives;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.BackupRepository;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.backup.ChainFolder;
import dev.mvmm.core.backup.Stamps;
import dev.mvmm.core.backup.SyncException;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.config.Shown;
import dev.mvmm.core.domain.CloneDefinition;
import dev.mvmm.core.domain.DomainXml;
import dev.mvmm.core.domain.MacAddresses;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.notify.Event;
import dev.mvmm.core.notify.Notifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * One {@code mvmm restore}, whatever its mode: fetch the off-site copy when asked, restore, and record
 * and announce the result truthfully (the {@code backups} table with level {@code restore}, read by
 * {@code stats}; {@code notify_command} with {@code restore} or {@code restore-failure}).
 */
public final class RestoreJob {

    /** Where the restored disks go. */
    public enum Mode { DIRECTORY, IN_PLACE, DEFINE }

    /**
     * @param chain      the chain's folder name: the VM's name for the current chain, else an archive's
     * @param target     the directory (DIRECTORY, DEFINE); null for the default
     * @param defineName the new VM's name (DEFINE)
     * @param fetched    the chain already fetched from the remote by the caller, or null
     */
    public record Plan(String vm, String chain, boolean fromRemote, String checkpoint, Instant at, String disk,
            Mode mode, Path target, String defineName, boolean discardOld, Path fetched) {
    }

    /** What was done, as lines for the operator. */
    public record Report(List<String> lines) {
    }

    private final Hypervisor hypervisor;
    private final Tools tools;
    private final BackupRepository records;
    private final Notifier notifier;
    private final Clock clock;
    private final Sleeper sleeper;
    private final dev.mvmm.core.power.PowerMarkers markers;

    /** @param markers where an in-place restore notes that it stopped the VM (null for other kinds) */
    public RestoreJob(Hypervisor hypervisor, Tools tools, BackupRepository records,
            dev.mvmm.core.power.PowerMarkers markers, Notifier notifier, Clock clock, Sleeper sleeper) {
        this.hypervisor = hypervisor;
        this.markers = markers;
        this.tools = tools;
        this.records = records;
        this.notifier = notifier;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** The directory a restore into a directory uses when none is given. */
    public static Path defaultDirectory(BackupSettings settings, String vm, Instant at) {
        return settings.backupPath().resolve("restores").resolve(vm + "." + Stamps.of(at));
    }

    public Report run(Plan plan, BackupSettings settings) {
        requireChainOf(plan.vm(), plan.chain());
        if (plan.mode() == Mode.DEFINE) {
            VmNames.require(plan.defineName());
        }
        Instant started = clock.instant();
        String vm = plan.vm();
        try {
            Report report = restore(plan, settings, started);
            String summary = report.lines().get(0);
            records.backup(vm, plan.chain(), "restore", started, clock.instant(), null, "ok", summary);
            notifier.notify(new Event("restore", vm, Event.Level.INFO, summary));
            return report;
        } catch (BackupException | SyncException | HypervisorException | IllegalArgumentException e) {
            String why = "restore of " + vm + " from " + plan.chain() + " failed: " + e.getMessage();
            records.backup(vm, plan.chain(), "restore", started, clock.instant(), null, "failed", e.getMessage());
            notifier.notify(new Event("restore-failure", vm, Event.Level.CRITICAL, why));
            throw e instanceof IllegalArgumentException ? new BackupException(e.getMessage()) : e;
        }
    }

    private Report restore(Plan plan, BackupSettings settings, Instant started) {
        String vm = plan.vm();
        if (plan.mode() == Mode.DEFINE && hypervisor.status(plan.defineName()).isPresent()) {
            throw new BackupException("a VM named " + plan.defineName() + " exists already; choose another name");
        }
        Path source = settings.backupPath().resolve(plan.chain());
        Path fetched = null;
        if (plan.fetched() != null) {
            source = plan.fetched();
        } else if (plan.fromRemote()) {
            fetched = fetch(settings, vm, plan.chain());
            source = fetched;
        }
        String from = plan.chain() + (plan.fromRemote() ? " (off-site copy)" : "");
        try {
            RestoreRequest request = new RestoreRequest(vm, settings.backupPath(), plan.chain(), plan.checkpoint(),
                    plan.at(), plan.disk(), plan.target());
            return switch (plan.mode()) {
                case DIRECTORY -> directory(request, source, settings, started, from);
                case IN_PLACE -> inPlace(plan, request, source, settings, from);
                case DEFINE -> define(plan, request, source, from);
            };
        } finally {
            if (fetched != null) {
                Archives.delete(fetched);
            }
        }
    }

    /** Copies a chain from the off-site copy into a temporary folder of backup_path; the caller deletes it. */
    public static Path fetch(BackupSettings settings, String vm, String chain) {
        requireChainOf(vm, chain);
        if (settings.remote() == null) {
            throw new BackupException("no remote_path configured for " + vm);
        }
        Path fetched = settings.backupPath().resolve(".fetch-" + chain + "-" + ProcessHandle.current().pid());
        dev.mvmm.core.backup.RemoteSync.fetch(settings.remote().open(), chain, fetched);
        return fetched;
    }

    /**
     * Refuses a chain name that is neither the VM's current chain (its own name) nor one of its
     * archives ({@code <VM>.<time>}): the name becomes a path under backup_path and on the remote,
     * where {@code ../} or another VM's chain must never be reached.
     */
    static void requireChainOf(String vm, String chain) {
        VmNames.require(vm);
        if (chain == null || !chain.equals(vm) && !chain.matches(Pattern.quote(vm) + "\\." + Stamps.PATTERN)) {
            throw new BackupException((chain == null ? "no chain" : Shown.quote(chain) + " is not a chain of " + vm)
                    + "; give an archive's time (20261121T135203Z) or name (" + vm + ".20261121T135203Z), or none "
                    + "for the current chain");
        }
    }

    private Report directory(RestoreRequest request, Path source, BackupSettings settings, Instant started,
            String from) {
        Path target = request.target() != null ? request.target()
                : defaultDirectory(settings, request.vm(), started);
        Restore.Result result = new Restore(tools).run(request.withTarget(target), source);
        List<String> lines = new ArrayList<>();
        lines.add("restored " + request.vm() + " from " + from + " up to " + result.checkpoint() + " into "
                + result.directory());
        result.images().forEach((disk, image) -> lines.add("  " + disk + "  " + image));
        return new Report(lines);
    }

    private Report inPlace(Plan plan, RestoreRequest request, Path source, BackupSettings settings, String from) {
        InPlaceRestore.Outcome outcome = new InPlaceRestore(hypervisor, tools, records, markers, clock, sleeper)
                .run(request, source, settings.backupPath().resolve(plan.vm()),
                        settings.waitTime(), plan.discardOld());
        List<String> lines = new ArrayList<>();
        lines.add("restored " + plan.vm() + " in place from " + from + " up to " + outcome.checkpoint()
                + (outcome.started() ? "; the VM runs again" : "; the VM stays shut off"));
        for (InPlaceRestore.Replaced disk : outcome.disks()) {
            lines.add("  " + disk.target() + "  " + disk.live() + (disk.kept() == null ? "  (old image discarded)"
                    : "  (old image kept as " + disk.kept() + ")"));
        }
        if (outcome.stopped() != null) {
            lines.add("  stop: " + outcome.stopped());
        }
        lines.add("  checkpoints cleared: the next 'mvmm backup' starts a new chain"
                + (outcome.archivedChain() == null ? "" : "; the old chain is archived as " + outcome.archivedChain()));
        return new Report(lines);
    }

    private Report define(Plan plan, RestoreRequest request, Path source, String from) {
        List<Restore.Point> points = Restore.points(source, plan.vm());
        if (points.isEmpty()) {
            throw new BackupException("chain " + source + " holds no checkpoint to restore");
        }
        String savedXml = savedDefinition(source);
        DomainXml saved = DomainXml.parse(savedXml);
        Path target = plan.target();
        if (target == null) {
            String first = saved.disks().stream().filter(DomainXml.Disk::fileBacked).map(DomainXml.Disk::file)
                    .findFirst().orElseThrow(() -> new BackupException("the saved definition has no disk file"));
            target = Path.of(first).resolveSibling(plan.defineName());
        }
        Restore.Result result = new Restore(tools).run(request.withTarget(target), source);
        Map<String, String> files = new LinkedHashMap<>();
        result.images().forEach((disk, image) -> files.put(disk, image.toString()));
        String nvram = saved.nvram().map(path -> copyNvram(source, result.checkpoint(), path, result.directory(),
                plan.defineName())).orElse(null);
        MacAddresses macs = new MacAddresses(MacAddresses.inUse(List.of(hypervisor)));
        DomainXml clone = CloneDefinition.of(savedXml, plan.defineName(), files, true, macs::next, nvram);
        hypervisor.define(clone.toXml());
        List<String> lines = new ArrayList<>();
        lines.add("restored " + plan.vm() + " from " + from + " up to " + result.checkpoint() + " as the new VM "
                + plan.defineName() + " (new UUID " + clone.uuid() + ")");
        result.images().forEach((disk, image) -> lines.add("  " + disk + "  " + image));
        List<String> newMacs = clone.macs();
        if (!newMacs.isEmpty()) {
            lines.add("  new MAC addresses: " + String.join(", ", newMacs));
        }
        if (saved.nvram().isPresent()) {
            lines.add(nvram == null ? "  NVRAM: not in the backup; libvirt creates a fresh one from its template"
                    : "  NVRAM: " + nvram);
        }
        if (saved.hasEmulatedTpm()) {
            lines.add("  TPM: the new VM gets a fresh emulated TPM (its state is not in the backup)");
        }
        return new Report(lines);
    }

    private static String savedDefinition(Path chain) {
        Path config = ChainFolder.read(chain, "").latestConfig();
        if (config == null) {
            throw new BackupException("chain " + chain + " holds no saved VM definition (vmconfig.*.xml)");
        }
        try {
            return Files.readString(config);
        } catch (IOException e) {
            throw new BackupException("cannot read " + config + ": " + e.getMessage());
        }
    }

    /** virtnbdbackup saves the NVRAM file as {@code <name>.<checkpoint>} in the chain; null when it did not. */
    private static String copyNvram(Path chain, String checkpoint, String original, Path directory, String name) {
        String base = Path.of(original).getFileName().toString();
        try (var files = Files.list(chain)) {
            List<Path> saved = files.filter(f -> f.getFileName().toString().startsWith(base + "."))
                    .sorted().toList();
            Path best = saved.stream().filter(f -> f.getFileName().toString().equals(base + "." + checkpoint))
                    .findFirst().orElse(saved.isEmpty() ? null : saved.get(saved.size() - 1));
            if (best == null) {
                return null;
            }
            Path copy = directory.resolve(name + "_VARS.fd");
            Files.copy(best, copy);
            return copy.toString();
        } catch (IOException e) {
            throw new BackupException("cannot copy the saved NVRAM for the new VM: " + e.getMessage());
        }
    }
}
