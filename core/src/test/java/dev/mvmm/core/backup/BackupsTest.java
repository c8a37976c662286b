package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.exec.CommandResult;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.power.PowerMarkers;
import dev.mvmm.core.notify.Event;
import dev.mvmm.core.stats.BackupSummary;
import dev.mvmm.core.stats.StatsRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.support.FakeHypervisor;
import dev.mvmm.core.support.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup run in-process: real chain folders, real SQLite; the hypervisor, the clock and the
 * external tools (virsh, qemu-img, virtnbdbackup) are fakes.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BackupsTest {

    private static final String VM = "unit-web";
    private static final String XML = "<domain type='kvm'><name>" + VM + "</name>"
            + "<uuid>6f2a8e0c-1d3b-4c5e-8f70-0a1b2c3d4e5f</uuid><devices><disk type='file' device='disk'>"
            + "<driver name='qemu' type='qcow2'/><source file='/images/" + VM + ".qcow2'/><target dev='vda'/>"
            + "</disk></devices></domain>";

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at("2026-03-01T02:00:00Z");
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private final FakeTools tools = new FakeTools();
    private FakeHypervisor hypervisor;
    private StateStore store;
    private BackupRepository records;

    @BeforeEach
    void setUp() {
        store = StateStore.open(dir.resolve("state/mvmm.db"));
        records = new BackupRepository(store);
        hypervisor = new FakeHypervisor().running(VM).defined(VM, XML);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private BackupSettings settings(Integer maxChains) {
        return new BackupSettings(dir.resolve("backups"), maxChains, new Retention.Policy(null, null, null, null,
                null), null, List.of(), false, false, false, null, null);
    }

    private VmBackup backup(Integer maxChains, boolean full, boolean dryRun) {
        BackupServices services = new BackupServices(hypervisor, tools, new VmLocks(dir.resolve("locks"), clock),
                new PowerMarkers(dir.resolve("power")), records, events::add, clock, clock);
        List<VmBackup> outcomes = new Backups(services).run(List.of(new Backups.Target(VM, settings(maxChains))),
                full, dryRun);
        clock.advance(Duration.ofHours(1));
        return outcomes.get(0);
    }

    private BackupSummary stats() {
        return new StatsRepository(store).backups().get(VM);
    }

    private List<String> eventTypes() {
        return events.stream().map(Event::type).toList();
    }

    @Test
    void a_missing_tool_is_recorded_as_a_failed_backup_and_notified() {
        assertThat(backup(null, false, false).result()).isEqualTo(VmBackup.Result.OK);
        assertThat(stats().result()).isEqualTo("ok");
        tools.missing = "virtnbdbackup";

        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.FAILED);
        assertThat(outcome.detail()).startsWith("virtnbdbackup is not installed");
        assertThat(stats().result()).isEqualTo("failed");
        assertThat(stats().level()).isEqualTo("check");
        assertThat(eventTypes()).containsExactly("backup-failure");
    }

    @Test
    void a_backup_job_left_by_an_earlier_run_is_ended_before_the_backup() {
        assertThat(backup(null, false, false).result()).isEqualTo(VmBackup.Result.OK);
        tools.leftoverJob = true;
        tools.during = () -> assertThat(tools.leftoverJob).as("ended before virtnbdbackup runs").isFalse();

        assertThat(backup(null, false, false).result()).isEqualTo(VmBackup.Result.OK);
    }

    @Test
    void a_hypervisor_error_before_the_backup_is_recorded_and_notified() {
        assertThat(backup(null, false, false).result()).isEqualTo(VmBackup.Result.OK);
        hypervisor = new FakeHypervisor().running(VM);

        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.FAILED);
        assertThat(stats().result()).isEqualTo("failed");
        assertThat(eventTypes()).containsExactly("backup-failure");
    }

    @Test
    void a_libvirt_too_old_for_incrementals_is_recorded_and_notified() {
        hypervisor.versions(6_000_000, 5_000_000);

        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.FAILED);
        assertThat(outcome.detail()).contains("mvmm patch");
        assertThat(stats().result()).isEqualTo("failed");
        assertThat(eventTypes()).containsExactly("backup-failure");
    }

    private static final String PATCHED = XML.replace("<domain type='kvm'>", "<domain type='kvm' "
            + "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>").replace("</domain>",
            "<qemu:capabilities><qemu:add capability='incremental-backup'/></qemu:capabilities></domain>");

    private VmBackup backupRestartingIfRequired(boolean restartIfRequired) {
        BackupSettings settings = new BackupSettings(dir.resolve("backups"), null, new Retention.Policy(null, null,
                null, null, null), null, List.of(), false, false, false, null, Duration.ofSeconds(30),
                restartIfRequired, new dev.mvmm.core.health.HealthSettings(null, List.of(), List.of(),
                        Duration.ofSeconds(3), Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ofMinutes(5),
                        "reboot", 1, Duration.ofHours(24), null));
        BackupServices services = new BackupServices(hypervisor, tools, new VmLocks(dir.resolve("locks"), clock),
                new PowerMarkers(dir.resolve("power")), records, events::add, clock, clock,
                new dev.mvmm.core.store.HealthRepository(store));
        VmBackup outcome = new Backups(services).run(List.of(new Backups.Target(VM, settings)), false, false).get(0);
        clock.advance(Duration.ofHours(1));
        return outcome;
    }

    @Test
    void a_vm_patched_but_not_restarted_on_an_old_libvirt_is_only_told_without_restart_if_required() {
        hypervisor.versions(6_000_000, 5_000_000).definedInactive(VM, PATCHED);

        VmBackup outcome = backupRestartingIfRequired(false);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.FAILED);
        assertThat(outcome.detail()).contains("it needs a power cycle").contains("restart_if_required=true")
                .contains("mvmm patch --restart " + VM);
        assertThat(hypervisor.calls()).noneMatch(call -> call.startsWith("shutdown") || call.startsWith("start"));
    }

    @Test
    void restart_if_required_power_cycles_a_patched_vm_once_and_backs_it_up_within_the_loop_guard() {
        hypervisor.versions(6_000_000, 5_000_000).definedInactive(VM, PATCHED).guestsObeyShutdown();

        VmBackup first = backupRestartingIfRequired(true);

        assertThat(first.result()).as(first.detail()).isEqualTo(VmBackup.Result.OK);
        assertThat(first.level()).isEqualTo("full");
        assertThat(hypervisor.calls()).containsSubsequence("shutdown " + VM, "start " + VM);
        assertThat(new dev.mvmm.core.store.HealthRepository(store).countActions(VM, clock.instant().minus(
                Duration.ofDays(1)), dev.mvmm.core.health.LoopGuard.GUARDED)).isEqualTo(1);

        int before = hypervisor.calls().size();
        VmBackup second = backupRestartingIfRequired(true);

        assertThat(second.result()).isEqualTo(VmBackup.Result.OK);
        assertThat(second.level()).isEqualTo("inc");
        assertThat(hypervisor.calls().subList(before, hypervisor.calls().size()))
                .as("runs with the capability now: no second power cycle")
                .noneMatch(call -> call.startsWith("shutdown"));
    }

    @Test
    void restart_if_required_does_not_power_cycle_past_the_loop_guard() {
        hypervisor.versions(6_000_000, 5_000_000).definedInactive(VM, PATCHED);
        new dev.mvmm.core.store.HealthRepository(store).recordAction(VM, clock.instant(), "reboot", "done", "check");

        VmBackup outcome = backupRestartingIfRequired(true);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.FAILED);
        assertThat(outcome.detail()).contains("not now").contains("max_reboots=1");
        assertThat(hypervisor.calls()).noneMatch(call -> call.startsWith("shutdown"));
    }

    @Test
    void an_unpatched_vm_on_an_old_libvirt_is_never_restarted_it_needs_mvmm_patch() {
        hypervisor.versions(6_000_000, 5_000_000);

        VmBackup outcome = backupRestartingIfRequired(true);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.FAILED);
        assertThat(outcome.detail()).contains("mvmm patch");
        assertThat(hypervisor.calls()).noneMatch(call -> call.startsWith("shutdown"));
    }

    @Test
    void a_chain_no_run_recorded_is_adopted_when_full_archives_it_so_stats_count_the_archive() throws IOException {
        assertThat(backup(null, false, false).result()).isEqualTo(VmBackup.Result.OK);
        // A new state database: the chain on disk is unknown to it.
        store.close();
        for (String file : List.of("mvmm.db", "mvmm.db-wal", "mvmm.db-shm")) {
            Files.deleteIfExists(dir.resolve("state").resolve(file));
        }
        store = StateStore.open(dir.resolve("state/mvmm.db"));
        records = new BackupRepository(store);

        VmBackup full = backup(null, true, false);

        assertThat(full.result()).isEqualTo(VmBackup.Result.OK);
        assertThat(stats().archivedChains()).isEqualTo(1);
        assertThat(eventTypes()).as("an archive asked for with --full is routine").isEmpty();
    }

    @Test
    void too_little_space_is_recorded_under_the_level_it_would_have_taken() {
        tools.actualSize = 1L << 60;

        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.FAILED);
        assertThat(outcome.level()).isEqualTo("full");
        assertThat(stats().result()).isEqualTo("failed");
        assertThat(stats().level()).isEqualTo("full");
        assertThat(eventTypes()).containsExactly("low-space", "backup-failure");
    }

    @Test
    void a_failing_dry_run_records_and_notifies_nothing() {
        tools.missing = "qemu-img";

        assertThat(backup(null, false, true).result()).isEqualTo(VmBackup.Result.FAILED);

        assertThat(stats()).isNull();
        assertThat(events).isEmpty();
    }

    @Test
    void chains_deleted_by_retention_no_longer_count_as_archived() {
        backup(1, false, false);
        backup(1, true, false);
        assertThat(stats().archivedChains()).isEqualTo(1);

        VmBackup third = backup(1, true, false);

        assertThat(third.result()).isEqualTo(VmBackup.Result.OK);
        assertThat(Archives.list(dir.resolve("backups"), VM)).hasSize(1);
        assertThat(stats().archivedChains()).isEqualTo(1);
    }

    @Test
    void a_dry_run_leaves_a_vm_paused_by_a_cut_off_backup_and_its_marker_alone() throws IOException {
        hypervisor = new FakeHypervisor().paused(VM).defined(VM, XML);
        Path marker = dir.resolve("backups/." + VM + ".started-paused-by-mvmm");
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "2026-03-01T01:00:00Z");

        VmBackup dry = backup(null, false, true);

        assertThat(dry.result()).isEqualTo(VmBackup.Result.PLANNED);
        assertThat(dry.detail()).startsWith("would put the VM shut off again (the backup begun at "
                + "2026-03-01T01:00:00Z left it paused), then would take a full");
        assertThat(hypervisor.calls()).isEmpty();
        assertThat(hypervisor.state(VM)).isEqualTo(dev.mvmm.core.host.PowerState.PAUSED);
        assertThat(marker).exists();

        VmBackup real = backup(null, false, false);

        assertThat(real.result()).isEqualTo(VmBackup.Result.OK);
        assertThat(hypervisor.calls()).startsWith("destroy " + VM);
        assertThat(hypervisor.state(VM)).isEqualTo(dev.mvmm.core.host.PowerState.SHUT_OFF);
        assertThat(marker).as("an old-style marker is honoured once").doesNotExist();
        assertThat(dir.resolve("power")).isEmptyDirectory();
    }

    @Test
    void a_backup_of_a_shut_off_vm_marks_it_while_it_runs_paused_and_unmarks_it_after() {
        hypervisor = new FakeHypervisor().shutOff(VM).defined(VM, XML);
        List<Boolean> markedDuringBackup = new ArrayList<>();
        tools.during = () -> markedDuringBackup.add(Files.exists(dir.resolve("power/" + VM + ".json")));

        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.OK);
        assertThat(markedDuringBackup).containsExactly(true);
        assertThat(dir.resolve("power/" + VM + ".json")).doesNotExist();
        assertThat(hypervisor.state(VM)).isEqualTo(dev.mvmm.core.host.PowerState.SHUT_OFF);
    }

    @Test
    void a_backup_starts_a_vm_a_cut_off_restore_left_stopped_before_it_backs_it_up() {
        hypervisor = new FakeHypervisor().shutOff(VM).defined(VM, XML);
        new PowerMarkers(dir.resolve("power")).write(new dev.mvmm.core.power.PowerMarker(VM, "restore --in-place",
                dev.mvmm.core.host.PowerState.RUNNING, clock.instant().minusSeconds(600), 4242));

        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.OK);
        assertThat(hypervisor.calls()).startsWith("start " + VM);
        assertThat(hypervisor.state(VM)).isEqualTo(dev.mvmm.core.host.PowerState.RUNNING);
        assertThat(dir.resolve("power/" + VM + ".json")).doesNotExist();
    }

    @Test
    void a_dry_run_names_the_archive_retention_would_delete_once_the_current_chain_is_archived() {
        backup(2, false, false);
        backup(2, true, false);
        backup(2, true, false);
        List<String> archives = Archives.list(dir.resolve("backups"), VM).stream().map(Retention.Item::name).toList();
        assertThat(archives).hasSize(2);

        VmBackup dry = backup(2, true, true);

        assertThat(dry.result()).isEqualTo(VmBackup.Result.PLANNED);
        assertThat(dry.detail()).isEqualTo("would take a full backup; retention would delete [" + archives.get(0)
                + "]");
        assertThat(Archives.list(dir.resolve("backups"), VM)).extracting(Retention.Item::name)
                .containsExactlyElementsOf(archives);
        assertThat(dir.resolve("backups/" + VM + "/" + VM + ".cpt")).exists();

        assertThat(backup(2, true, false).result()).isEqualTo(VmBackup.Result.OK);

        assertThat(Archives.list(dir.resolve("backups"), VM)).extracting(Retention.Item::name)
                .doesNotContain(archives.get(0)).contains(archives.get(1)).hasSize(2);
    }

    @Test
    void an_incremental_cut_off_midway_is_repaired_and_the_next_one_counts() throws IOException {
        assertThat(backup(null, false, false).result()).isEqualTo(VmBackup.Result.OK);
        Path chain = dir.resolve("backups/" + VM);
        tools.checkpoints.add("virtnbdbackup.1");
        Files.writeString(chain.resolve(VM + ".cpt"), "[\"virtnbdbackup.0\",\"virtnbdbackup.1\"]");
        Files.writeString(chain.resolve("vda.inc.virtnbdbackup.1.data.partial"), "half");

        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.result()).as(outcome.detail()).isEqualTo(VmBackup.Result.OK);
        assertThat(outcome.plan()).isEqualTo("a backup was cut off at checkpoint virtnbdbackup.1; dropping it");
        ChainFolder after = ChainFolder.read(chain, VM);
        assertThat(after.partialFiles()).isEmpty();
        assertThat(after.checkpoints()).containsExactly("virtnbdbackup.0", "virtnbdbackup.1");
        assertThat(stats().result()).isEqualTo("ok");
    }

    @Test
    void a_full_backup_reads_the_checkpoints_and_each_disk_once_before_virtnbdbackup() {
        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.result()).as(outcome.detail()).isEqualTo(VmBackup.Result.OK);
        assertThat(tools.reads).containsExactlyInAnyOrder("checkpoint-list", "info /images/" + VM + ".qcow2");
    }

    @Test
    void an_incremental_reads_the_checkpoints_their_sizes_and_each_disk_once() {
        assertThat(backup(null, false, false).result()).isEqualTo(VmBackup.Result.OK);
        tools.reads.clear();

        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.level()).isEqualTo("inc");
        assertThat(tools.reads).containsExactlyInAnyOrder("checkpoint-list", "sizes virtnbdbackup.0",
                "info /images/" + VM + ".qcow2");
    }

    @Test
    void stale_checkpoints_of_a_running_vm_are_deleted_and_its_disk_read_again_before_a_new_chain() {
        tools.checkpoints.add("virtnbdbackup.3");

        VmBackup outcome = backup(null, false, false);

        assertThat(outcome.result()).as(outcome.detail()).isEqualTo(VmBackup.Result.OK);
        assertThat(tools.reads).containsExactlyInAnyOrder("checkpoint-list", "info /images/" + VM + ".qcow2",
                "info /images/" + VM + ".qcow2");
        assertThat(tools.checkpoints).containsExactly("virtnbdbackup.0");
    }

    /** virsh, qemu-img and virtnbdbackup as far as a backup run sees them; virtnbdbackup writes a plausible chain. */
    static final class FakeTools extends Tools {

        String missing;
        boolean leftoverJob;
        Runnable during = () -> { };
        long actualSize = 1 << 20;
        final List<String> checkpoints = Collections.synchronizedList(new ArrayList<>());
        /** The reading calls, in the order they came (virsh and qemu-img may run side by side). */
        final List<String> reads = Collections.synchronizedList(new ArrayList<>());

        FakeTools() {
            super("test:///fake");
        }

        @Override
        public String missingProgram() {
            return missing;
        }

        @Override
        public boolean abortLeftoverBackupJob(String vm) {
            boolean had = leftoverJob;
            leftoverJob = false;
            return had;
        }

        @Override
        public List<String> checkpoints(String vm) {
            reads.add("checkpoint-list");
            return List.copyOf(checkpoints);
        }

        @Override
        public void deleteCheckpoint(String vm, String checkpoint) {
            checkpoints.remove(checkpoint);
        }

        @Override
        public void deleteCheckpointMetadata(String vm, String checkpoint) {
            checkpoints.remove(checkpoint);
        }

        @Override
        public ImageInfo imageInfo(String file) {
            reads.add("info " + file);
            return new ImageInfo("qcow2", "1.1", List.copyOf(checkpoints), 1 << 30, actualSize);
        }

        @Override
        public void removeBitmap(String file, String bitmap) {
        }

        @Override
        public List<String> brokenBitmaps(String vm, String checkpoint) {
            reads.add("sizes " + checkpoint);
            return List.of();
        }

        @Override
        public CommandResult virtnbdbackup(String vm, String level, Path target, List<String> extra) {
            during.run();
            String checkpoint = "virtnbdbackup." + ("full".equals(level) ? 0 : checkpoints.size());
            if ("full".equals(level)) {
                checkpoints.clear();
            }
            checkpoints.add(checkpoint);
            try {
                Files.createDirectories(target.resolve("checkpoints"));
                Files.writeString(target.resolve(vm + ".cpt"), "[" + String.join(",", checkpoints.stream()
                        .map(name -> "\"" + name + "\"").toList()) + "]");
                Files.writeString(target.resolve("checkpoints/" + checkpoint + ".xml"), "<domaincheckpoint/>");
                Files.writeString(target.resolve("vmconfig." + checkpoint + ".xml"), XML);
                Files.writeString(target.resolve("full".equals(level) ? "vda.full.data"
                        : "vda.inc." + checkpoint + ".data"), "data of " + checkpoint);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new CommandResult(List.of("virtnbdbackup"), 0, "", "", false);
        }
    }
}
