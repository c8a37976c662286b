package dev.mvmm.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.config.ConfigLoader;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.lock.VmLock;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.maintenance.Maintenance;
import dev.mvmm.core.power.PowerMarker;
import dev.mvmm.core.power.PowerMarkers;
import dev.mvmm.core.notify.Event;
import dev.mvmm.core.probe.Prober;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.MaintenanceRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.store.VmHealth;
import dev.mvmm.core.support.FakeHypervisor;
import dev.mvmm.core.support.Listener;
import dev.mvmm.core.support.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A check pass end to end in-process: real configuration files, real SQLite, real TCP probes on
 * 127.0.0.1; only the hypervisor and the clock are fakes.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HealthCheckTest {

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private FakeHypervisor hypervisor;
    private StateStore store;
    private Listener web;
    private VmLocks locks;
    private PowerMarkers markers;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        web = Listener.open();
        conf("mvmm.conf", "fail_threshold=30", "wait_interval=20", "recovery_time=60", "connect_timeout=500ms");
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port());
        store = StateStore.open(dir.resolve("state/mvmm.db"));
        locks = new VmLocks(dir.resolve("locks"), clock);
        markers = new PowerMarkers(dir.resolve("state/power"));
        hypervisor = new FakeHypervisor().running("web");
    }

    @AfterEach
    void tearDown() {
        web.close();
        store.close();
    }

    private void conf(String file, String... lines) throws IOException {
        Files.write(dir.resolve("conf").resolve(file), List.of(lines));
    }

    private CheckReport check(String... names) {
        Configuration config = new ConfigLoader(dir.resolve("conf")).load();
        HealthServices services = new HealthServices(hypervisor, new HealthRepository(store),
                new MaintenanceRepository(store), locks, markers, new Prober(), events::add, clock, clock);
        List<String> wanted = List.of(names);
        return new HealthCheck(services).run(new CheckRequest(config.vms().stream()
                .filter(vm -> wanted.isEmpty() || wanted.contains(vm.name())).toList(), List.of()));
    }

    private static VmOutcome only(CheckReport report) {
        assertThat(report.outcomes()).hasSize(1);
        return report.outcomes().get(0);
    }

    private VmHealth state(String vm) {
        return new HealthRepository(store).load(vm).orElseThrow();
    }

    @Test
    void healthy_vm_is_left_alone() {
        VmOutcome outcome = only(check());

        assertThat(outcome.verdict()).isInstanceOf(Verdict.Healthy.class);
        assertThat(outcome.latency()).isNotNull();
        assertThat(hypervisor.calls()).isEmpty();
        assertThat(state("web").availability()).isEqualTo(Availability.UP);
    }

    @Test
    void reboots_only_once_the_threshold_has_passed_across_runs() {
        web.close();
        String before = hypervisor.runId("web");

        assertThat(only(check()).verdict().kind()).isEqualTo("failing");
        clock.advance(Duration.ofSeconds(29));
        assertThat(only(check()).verdict().kind()).isEqualTo("failing");
        assertThat(hypervisor.calls()).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        VmOutcome outcome = only(check());

        assertThat(outcome.verdict().kind()).isEqualTo("rebooted");
        assertThat(outcome.verdict().detail()).contains("no graceful shutdown within 20s; stopped hard; started");
        assertThat(hypervisor.calls()).containsExactly("shutdown web", "destroy web", "start web");
        assertThat(hypervisor.runId("web")).isNotEqualTo(before);
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo("reboot");
            assertThat(event.vm()).isEqualTo("web");
        });
        VmHealth after = state("web");
        assertThat(after.pending()).isNull();
        assertThat(after.lastAction().result()).isEqualTo("ok");
        assertThat(after.recoveryUntil()).isEqualTo(clock.instant().plusSeconds(60));
        assertThat(new HealthRepository(store).actions("web")).singleElement()
                .satisfies(action -> assertThat(action.result()).isEqualTo("ok"));
    }

    @Test
    void a_guest_that_obeys_shutdown_is_not_stopped_hard() {
        hypervisor.guestsObeyShutdown();
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));

        assertThat(only(check()).verdict().detail()).contains("shut down gracefully; started");
        assertThat(hypervisor.calls()).containsExactly("shutdown web", "start web");
    }

    @Test
    void after_a_reboot_the_recovery_time_protects_the_booting_vm() {
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));
        check();

        clock.advance(Duration.ofSeconds(50));
        assertThat(only(check()).verdict().detail()).contains("recovering");
        clock.advance(Duration.ofSeconds(20));
        assertThat(only(check()).verdict().detail()).contains("failing for 0s of 30s");
        assertThat(hypervisor.calls()).hasSize(3);
    }

    @Test
    void loop_guard_holds_the_vm_and_notifies_once() throws IOException {
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port(), "max_reboots=1", "recovery_time=0");
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));
        assertThat(only(check()).verdict().kind()).isEqualTo("rebooted");

        check();
        clock.advance(Duration.ofSeconds(30));
        VmOutcome held = only(check());
        clock.advance(Duration.ofSeconds(30));
        VmOutcome stillHeld = only(check());

        assertThat(held.verdict()).isInstanceOf(Verdict.OnHold.class);
        assertThat(stillHeld.verdict()).isInstanceOf(Verdict.OnHold.class);
        assertThat(hypervisor.calls()).hasSize(3);
        assertThat(events).extracting(Event::type).containsExactly("reboot", "hold");
    }

    @Test
    void clearing_a_hold_allows_actions_again() throws IOException {
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port(), "max_reboots=1", "recovery_time=0");
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));
        check();
        check();
        clock.advance(Duration.ofSeconds(30));
        assertThat(only(check()).verdict()).isInstanceOf(Verdict.OnHold.class);

        new Maintenance(new MaintenanceRepository(store), new HealthRepository(store), clock).clear(List.of("web"));
        clock.advance(Duration.ofSeconds(1));
        check();
        clock.advance(Duration.ofSeconds(30));

        VmOutcome again = only(check());
        assertThat(again.verdict().kind()).as(again.verdict().detail()).isEqualTo("rebooted");
    }

    @Test
    void maintenance_prevents_the_reboot_and_expires_by_itself() {
        Maintenance maintenance = new Maintenance(new MaintenanceRepository(store), new HealthRepository(store),
                clock);
        maintenance.start("web", Duration.ofMinutes(10), "kernel update");
        web.close();

        check();
        clock.advance(Duration.ofMinutes(5));
        VmOutcome during = only(check());
        assertThat(during.verdict().detail()).contains("maintenance: no action");
        assertThat(state("web").availability()).isEqualTo(Availability.MAINTENANCE);

        clock.advance(Duration.ofMinutes(5));
        assertThat(only(check()).verdict().detail()).contains("failing for 0s of 30s");
        clock.advance(Duration.ofSeconds(30));
        assertThat(only(check()).verdict().kind()).isEqualTo("rebooted");
    }

    @Test
    void maintenance_switched_on_after_the_check_looked_still_prevents_the_reboot() {
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));
        // Between this check's look at maintenance and its reboot, an operator runs 'mvmm maintenance on'.
        hypervisor.beforeConfirm(() -> new Maintenance(new MaintenanceRepository(store), new HealthRepository(store),
                clock).start(MaintenanceRepository.GLOBAL, null, "kernel update"));

        VmOutcome outcome = only(check());

        assertThat(hypervisor.calls()).isEmpty();
        assertThat(outcome.verdict().detail()).contains("maintenance began meanwhile: no action");
        assertThat(new HealthRepository(store).actions("web")).isEmpty();
        assertThat(state("web").availability()).isEqualTo(Availability.MAINTENANCE);
        assertThat(state("web").failingSince()).as("maintenance does not run the threshold clock").isNull();
    }

    @Test
    void global_maintenance_covers_every_vm() {
        new Maintenance(new MaintenanceRepository(store), new HealthRepository(store), clock)
                .start(MaintenanceRepository.GLOBAL, null, null);
        web.close();
        check();
        clock.advance(Duration.ofHours(1));

        assertThat(only(check()).verdict().detail()).contains("maintenance");
        assertThat(hypervisor.calls()).isEmpty();
    }

    @Test
    void a_vm_shut_off_on_purpose_stays_off() {
        hypervisor = new FakeHypervisor().shutOff("web");
        web.close();

        VmOutcome outcome = only(check());
        clock.advance(Duration.ofHours(1));
        check();

        assertThat(outcome.verdict().kind()).isEqualTo("skipped");
        assertThat(outcome.verdict().detail()).contains("shut off: left alone");
        assertThat(outcome.verdict().severity()).isEqualTo(Severity.OK);
        assertThat(hypervisor.calls()).isEmpty();
        assertThat(hypervisor.state("web")).isEqualTo(PowerState.SHUT_OFF);
        assertThat(state("web").availability()).isEqualTo(Availability.STOPPED);
    }

    @Test
    void a_paused_vm_is_left_alone() {
        hypervisor = new FakeHypervisor().paused("web");

        assertThat(only(check()).verdict().detail()).startsWith("paused: left alone");
    }

    @Test
    void a_vm_not_on_this_host_is_skipped_as_absent() {
        hypervisor = new FakeHypervisor();

        VmOutcome outcome = only(check());

        assertThat(outcome.verdict().detail()).startsWith("not on this host");
        assertThat(state("web").availability()).isEqualTo(Availability.ABSENT);
    }

    @Test
    void a_vm_locked_by_another_operation_is_skipped_as_busy() {
        web.close();
        check();
        clock.advance(Duration.ofMinutes(5));
        try (VmLock held = locks.tryLock("web", "backup").orElseThrow()) {
            VmOutcome outcome = only(check());
            assertThat(outcome.verdict().severity()).isEqualTo(Severity.BUSY);
            assertThat(outcome.verdict().detail()).contains("locked by backup (pid "
                    + ProcessHandle.current().pid());
        }
        assertThat(hypervisor.calls()).isEmpty();
    }

    @Nested
    class A_vm_another_operation_stopped_and_did_not_start_again {

        private final PowerMarker restore = new PowerMarker("web", "restore --in-place", PowerState.RUNNING,
                Instant.parse("2026-03-01T09:50:00Z"), 4242);

        @Test
        void is_started_under_its_lock_once_the_operation_no_longer_runs_and_stats_say_why() {
            hypervisor = new FakeHypervisor().shutOff("web");
            markers.write(restore);

            VmOutcome outcome = only(check());

            assertThat(outcome.verdict().kind()).isEqualTo("started");
            assertThat(outcome.verdict().detail()).isEqualTo("started: the restore --in-place begun at "
                    + "2026-03-01T09:50:00Z (pid 4242) had stopped it and was cut off");
            assertThat(hypervisor.calls()).containsExactly("start web");
            assertThat(markers.read("web")).isEmpty();
            assertThat(new HealthRepository(store).actions("web")).singleElement().satisfies(action -> {
                assertThat(action.action()).isEqualTo("start");
                assertThat(action.detail()).contains("restore --in-place");
            });
            assertThat(events).extracting(Event::type).containsExactly("started");
            assertThat(state("web").recoveryUntil()).isEqualTo(clock.instant().plusSeconds(60));

            clock.advance(Duration.ofSeconds(10));
            assertThat(only(check()).verdict().kind()).as("then checked as usual").isEqualTo("healthy");
            assertThat(hypervisor.calls()).containsExactly("start web");
        }

        @Test
        void is_left_alone_while_the_operation_holds_its_lock() {
            hypervisor = new FakeHypervisor().shutOff("web");
            markers.write(restore);

            try (VmLock held = locks.tryLock("web", "restore").orElseThrow()) {
                VmOutcome outcome = only(check());

                assertThat(outcome.verdict().severity()).isEqualTo(Severity.BUSY);
                assertThat(outcome.verdict().detail()).startsWith("busy: locked by restore (pid "
                        + ProcessHandle.current().pid()).contains("puts it back");
            }
            assertThat(hypervisor.calls()).isEmpty();
            assertThat(markers.read("web")).isPresent();
        }

        @Test
        void is_left_stopped_in_maintenance_and_started_once_it_ends() {
            hypervisor = new FakeHypervisor().shutOff("web");
            markers.write(restore);
            new Maintenance(new MaintenanceRepository(store), new HealthRepository(store), clock)
                    .start("web", Duration.ofMinutes(10), "disk work");

            VmOutcome during = only(check());

            assertThat(during.verdict().detail()).contains("in maintenance");
            assertThat(during.verdict().severity()).isEqualTo(Severity.WARNING);
            assertThat(hypervisor.calls()).isEmpty();

            clock.advance(Duration.ofMinutes(11));
            assertThat(only(check()).verdict().kind()).isEqualTo("started");
            assertThat(hypervisor.calls()).containsExactly("start web");
        }

        @Test
        void a_vm_a_cut_off_backup_left_paused_is_shut_off_again_and_then_left_off() {
            hypervisor = new FakeHypervisor().paused("web");
            markers.write(new PowerMarker("web", "backup", PowerState.SHUT_OFF, clock.instant().minusSeconds(600),
                    4242));

            VmOutcome outcome = only(check());
            clock.advance(Duration.ofMinutes(1));
            VmOutcome next = only(check());

            assertThat(outcome.verdict().detail()).startsWith("shut off again: the backup begun at");
            assertThat(hypervisor.calls()).containsExactly("destroy web");
            assertThat(hypervisor.state("web")).isEqualTo(PowerState.SHUT_OFF);
            assertThat(next.verdict().detail()).contains("shut off: left alone");
            assertThat(markers.read("web")).isEmpty();
        }

        @Test
        void an_old_style_restore_marker_in_backup_path_is_honoured_once() throws IOException {
            conf("mvmm.conf", "fail_threshold=30", "wait_interval=20", "recovery_time=60", "connect_timeout=500ms",
                    "backup_path=" + dir.resolve("backups"));
            Files.createDirectories(dir.resolve("backups"));
            Files.writeString(dir.resolve("backups/.web.stopped-for-restore-by-mvmm"), "2026-03-01T09:00:00Z\n");
            hypervisor = new FakeHypervisor().shutOff("web");

            assertThat(only(check()).verdict().kind()).isEqualTo("started");
            assertThat(dir.resolve("backups/.web.stopped-for-restore-by-mvmm")).doesNotExist();
            assertThat(markers.read("web")).isEmpty();
        }

        @Test
        void a_vm_whose_disks_an_in_place_restore_was_replacing_is_not_started_and_is_critical() {
            markers.write(new PowerMarker("web", PowerMarker.REPLACING_DISKS, PowerState.RUNNING,
                    clock.instant().minusSeconds(600), 7));
            hypervisor = new FakeHypervisor().shutOff("web");

            VmOutcome outcome = only(check());

            assertThat(outcome.verdict().severity()).isEqualTo(Severity.CRITICAL);
            assertThat(outcome.verdict().detail()).contains("mvmm restore --in-place web");
            assertThat(hypervisor.calls()).isEmpty();
            assertThat(markers.read("web")).isPresent();
        }

        @Test
        void a_marker_the_operation_put_back_is_removed_and_the_vm_checked_as_usual() {
            markers.write(restore);

            assertThat(only(check()).verdict().kind()).isEqualTo("healthy");
            assertThat(hypervisor.calls()).isEmpty();
            assertThat(markers.read("web")).isEmpty();
        }
    }

    @Test
    void a_vm_left_off_by_an_interrupted_reboot_is_started_by_the_next_run() {
        VmHealth.Builder interrupted = VmHealth.fresh("web", clock.instant()).toBuilder();
        interrupted.availability = Availability.DOWN;
        interrupted.pending = new VmHealth.Pending("reboot", clock.instant(), hypervisor.runId("web"));
        new HealthRepository(store).save(interrupted.build());
        hypervisor.destroy("web");
        clock.advance(Duration.ofSeconds(5));

        VmOutcome outcome = only(check());

        assertThat(outcome.verdict().kind()).isEqualTo("started");
        assertThat(outcome.verdict().detail()).contains("started the VM mvmm had stopped");
        assertThat(hypervisor.state("web")).isEqualTo(PowerState.RUNNING);
        assertThat(state("web").pending()).isNull();
    }

    @Test
    void a_reboot_interrupted_while_the_guest_was_shutting_down_is_resumed() {
        VmHealth.Builder interrupted = VmHealth.fresh("web", clock.instant()).toBuilder();
        interrupted.pending = new VmHealth.Pending("reboot", clock.instant(), hypervisor.runId("web"));
        new HealthRepository(store).save(interrupted.build());
        clock.advance(Duration.ofSeconds(5));

        VmOutcome outcome = only(check());

        assertThat(outcome.verdict().kind()).isEqualTo("rebooted");
        assertThat(hypervisor.calls()).containsExactly("shutdown web", "destroy web", "start web");
    }

    @Test
    void a_resumed_reboot_is_one_reboot_for_stats_and_the_loop_guard() {
        VmHealth.Builder interrupted = VmHealth.fresh("web", clock.instant()).toBuilder();
        interrupted.pending = new VmHealth.Pending("reboot", clock.instant(), hypervisor.runId("web"));
        // As the killed run left it: the action begun and committed with the marker, never finished.
        new HealthRepository(store).beginAction(interrupted.build(), "reboot");
        clock.advance(Duration.ofSeconds(5));

        check();

        assertThat(new HealthRepository(store).actions("web")).singleElement()
                .satisfies(action -> assertThat(action.action() + " " + action.result()).isEqualTo("reboot ok"));
        assertThat(new HealthRepository(store).countActions("web", Instant.EPOCH, List.of("reboot"))).isEqualTo(1);
    }

    @Test
    void a_reboot_cut_off_with_the_vm_stopped_is_recorded_as_interrupted_and_finished_by_a_start() {
        VmHealth.Builder interrupted = VmHealth.fresh("web", clock.instant()).toBuilder();
        interrupted.pending = new VmHealth.Pending("reboot", clock.instant(), hypervisor.runId("web"));
        new HealthRepository(store).beginAction(interrupted.build(), "reboot");
        hypervisor.destroy("web");
        clock.advance(Duration.ofSeconds(5));

        check();

        assertThat(new HealthRepository(store).actions("web")).extracting(action -> action.action() + " "
                + action.result()).containsExactly("reboot interrupted", "start ok");
    }

    @Test
    void a_reboot_cut_off_after_the_vm_came_back_is_recorded_as_done_once() {
        VmHealth.Builder interrupted = VmHealth.fresh("web", clock.instant()).toBuilder();
        interrupted.pending = new VmHealth.Pending("reboot", clock.instant(), hypervisor.runId("web"));
        new HealthRepository(store).beginAction(interrupted.build(), "reboot");
        hypervisor.destroy("web");
        hypervisor.start("web");
        clock.advance(Duration.ofSeconds(5));

        check();

        assertThat(new HealthRepository(store).actions("web")).extracting(action -> action.action() + " "
                + action.result()).containsExactly("reboot ok");
    }

    @Test
    void an_old_pending_marker_on_a_running_vm_is_dropped_and_the_vm_checked_normally() {
        VmHealth.Builder interrupted = VmHealth.fresh("web", clock.instant()).toBuilder();
        interrupted.pending = new VmHealth.Pending("reboot", clock.instant(), hypervisor.runId("web"));
        new HealthRepository(store).save(interrupted.build());
        clock.advance(Duration.ofHours(1));

        assertThat(only(check()).verdict().kind()).isEqualTo("healthy");
        assertThat(hypervisor.calls()).isEmpty();
        assertThat(state("web").pending()).isNull();
    }

    @Test
    void a_failed_start_is_reported_and_retried_by_the_next_run() {
        hypervisor.failStartOf("web");
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));

        VmOutcome failed = only(check());
        assertThat(failed.verdict().kind()).isEqualTo("reboot-failed");
        assertThat(failed.verdict().detail()).contains("no memory").contains("the next run will start it again");
        assertThat(events).extracting(Event::type).containsExactly("action-failed");

        hypervisor = new FakeHypervisor().shutOff("web");
        VmOutcome retried = only(check());
        assertThat(retried.verdict().kind()).isEqualTo("started");
        assertThat(hypervisor.state("web")).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void a_broken_vm_file_is_reported_and_the_others_are_checked() throws IOException {
        conf("db.conf", "ip=127.0.0.1", "portsall=0");
        hypervisor.running("db");

        CheckReport report = check();

        assertThat(report.outcomes()).extracting(VmOutcome::vm).containsExactly("db", "web");
        assertThat(report.outcomes().get(0).verdict().severity()).isEqualTo(Severity.CONFIG);
        assertThat(report.outcomes().get(0).verdict().detail()).contains("db.conf:2: 'portsall': port 0 is out of "
                + "range");
        assertThat(report.outcomes().get(1).verdict().kind()).isEqualTo("healthy");
        assertThat(report.worst()).isEqualTo(Severity.CONFIG);
    }

    @Test
    void a_disabled_vm_is_not_probed() throws IOException {
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port(), "enabled=false");
        web.close();
        clock.advance(Duration.ofHours(1));

        assertThat(only(check()).verdict().detail()).isEqualTo("disabled (enabled=false)");
        assertThat(hypervisor.calls()).isEmpty();
    }

    @Test
    void portsany_needs_one_answer_and_portsall_needs_all() throws IOException {
        int closed = Listener.closedPort();
        conf("any.conf", "ip=127.0.0.1", "portsany=" + closed + " " + web.port());
        conf("all.conf", "ip=127.0.0.1", "portsall=" + closed + " " + web.port());
        hypervisor.running("any", "all");

        CheckReport report = check("any", "all");

        assertThat(report.outcomes()).extracting(o -> o.vm() + ":" + o.verdict().kind())
                .containsExactly("all:failing", "any:healthy");
        assertThat(report.outcomes().get(0).verdict().detail()).contains("port " + closed + " refused");
    }

    @Test
    void transitions_record_changes_not_samples() {
        check();
        check();
        web.close();
        clock.advance(Duration.ofSeconds(10));
        check();
        check();
        web.reopen();
        clock.advance(Duration.ofSeconds(10));
        check();

        assertThat(new HealthRepository(store).transitions("web")).extracting(HealthRepository.Transition::availability)
                .containsExactly(Availability.UP, Availability.DOWN, Availability.UP);
    }

    @Test
    void a_long_gap_between_checks_is_recorded_as_unmonitored_not_as_uptime() {
        check();
        java.time.Instant first = clock.instant();
        clock.advance(Duration.ofHours(3));
        check();

        assertThat(new HealthRepository(store).transitions("web")).extracting(HealthRepository.Transition::availability,
                HealthRepository.Transition::at).containsExactly(org.assertj.core.groups.Tuple.tuple(Availability.UP,
                        first), org.assertj.core.groups.Tuple.tuple(Availability.UNMONITORED, first),
                org.assertj.core.groups.Tuple.tuple(Availability.UP, clock.instant()));
        dev.mvmm.core.stats.VmStats web = new dev.mvmm.core.stats.Statistics(
                new dev.mvmm.core.stats.StatsRepository(store), new HealthRepository(store), clock)
                .report(List.of("web"), java.util.Set.of("web"), java.util.Map.of(), first).vms().get(0);
        assertThat(web.totals().of(Availability.UP)).isZero();
        assertThat(web.totals().of(Availability.UNMONITORED)).isEqualTo(Duration.ofHours(3));
    }

    @Test
    void action_none_records_and_notifies_without_touching_the_vm() throws IOException {
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port(), "action=none");
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));

        VmOutcome outcome = only(check());

        assertThat(outcome.verdict().kind()).isEqualTo("notified");
        assertThat(hypervisor.calls()).isEmpty();
        assertThat(events).extracting(Event::type).containsExactly("failure");
    }

    @Test
    void reset_action_resets() throws IOException {
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port(), "action=reset");
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));

        assertThat(only(check()).verdict().kind()).isEqualTo("reset");
        assertThat(hypervisor.calls()).containsExactly("reset web");
    }

    @Test
    void two_checks_at_once_reboot_the_vm_only_once() throws Exception {
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<CheckReport>> runs = new ArrayList<>();
        List<StateStore> stores = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            StateStore own = StateStore.open(dir.resolve("state/mvmm.db"));
            stores.add(own);
            Configuration config = new ConfigLoader(dir.resolve("conf")).load();
            HealthServices services = new HealthServices(hypervisor, new HealthRepository(own),
                    new MaintenanceRepository(own), locks, markers, new Prober(), events::add, clock, clock);
            runs.add(pool.submit(() -> new HealthCheck(services).run(new CheckRequest(config.vms(), List.of()))));
        }
        for (java.util.concurrent.Future<CheckReport> run : runs) {
            run.get();
        }
        pool.shutdown();
        stores.forEach(StateStore::close);

        assertThat(hypervisor.calls()).filteredOn(call -> call.startsWith("start")).hasSize(1);
        assertThat(new HealthRepository(store).actions("web")).hasSize(1);
    }

    @Test
    void a_reboot_another_check_has_just_finished_is_not_finished_again_from_an_older_look() {
        // Another check's reboot: its pending marker is committed and it looked while the VM was off;
        // by the time this check gets the lock, that reboot is over and the VM runs again.
        VmStatus off = new VmStatus("web", PowerState.SHUT_OFF, null, true);
        VmHealth.Builder marked = VmHealth.fresh("web", clock.instant()).toBuilder();
        marked.pending = new VmHealth.Pending("reboot", clock.instant(), hypervisor.runId("web"));
        VmHealth prior = marked.build();
        new HealthRepository(store).beginAction(prior, "reboot");
        hypervisor.destroy("web");
        hypervisor.start("web");
        List<String> before = hypervisor.calls();
        VmConfig web = new ConfigLoader(dir.resolve("conf")).load().vms().get(0);
        HealthServices services = new HealthServices(hypervisor, new HealthRepository(store),
                new MaintenanceRepository(store), locks, markers, new Prober(), events::add, clock, clock);

        ActionRunner.Result result = new ActionRunner(services, new VmActions(hypervisor, clock, clock))
                .complete(web, off, prior, HealthSettings.from(web.settings()));

        assertThat(hypervisor.calls()).isEqualTo(before);
        assertThat(result.state().pending()).isNull();
        assertThat(result.state().recoveryUntil()).as("a new run gets its recovery time").isNotNull();
    }

    @Test
    void an_unexpected_failure_acting_on_one_vm_does_not_stop_the_others() throws IOException {
        Listener db = Listener.open();
        conf("db.conf", "ip=127.0.0.1", "portsall=" + db.port());
        hypervisor.running("db").explodeOn("web");
        web.close();
        db.close();
        check();
        clock.advance(Duration.ofSeconds(30));

        CheckReport report = check();

        assertThat(report.outcomes()).extracting(o -> o.vm() + ":" + o.verdict().kind())
                .containsExactly("db:rebooted", "web:action-failed");
        assertThat(report.outcomes().get(1).verdict().detail()).contains("unexpected failure: boom");
    }

    @Test
    void a_scheduled_restart_reboots_a_healthy_vm_and_says_so() throws IOException {
        // Checked every 6 minutes here, so check_interval says so (restart_at needs a check at least every 2 of them).
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port(), "restart_at=10:05", "check_interval=5m");
        check();
        clock.advance(Duration.ofMinutes(6));

        VmOutcome outcome = only(check());

        assertThat(outcome.verdict().kind()).isEqualTo("restarted");
        assertThat(outcome.verdict().severity()).isEqualTo(Severity.OK);
        assertThat(outcome.verdict().detail()).contains("scheduled restart (restart_at 10:05)");
        assertThat(hypervisor.calls()).containsExactly("shutdown web", "destroy web", "start web");
        assertThat(events).extracting(Event::type).containsExactly("scheduled-restart");
        assertThat(state("web").scheduledAt()).isNotNull();
        clock.advance(Duration.ofMinutes(2));
        assertThat(only(check()).verdict().kind()).isEqualTo("healthy");
    }

    @Test
    void a_vm_paused_just_before_the_action_is_left_alone() {
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));
        hypervisor.confirmAs(PowerState.PAUSED);

        VmOutcome outcome = only(check());

        assertThat(outcome.verdict().detail()).startsWith("paused when about to reboot: left alone");
        assertThat(hypervisor.calls()).isEmpty();
    }

    @Test
    void hold_release_is_announced() throws IOException {
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port(), "max_reboots=0", "reboot_window=10m");
        web.close();
        check();
        clock.advance(Duration.ofSeconds(30));
        assertThat(only(check()).verdict()).isInstanceOf(Verdict.OnHold.class);
        web.reopen();
        check();
        clock.advance(Duration.ofMinutes(10));

        assertThat(only(check()).verdict().detail()).contains("hold released");
        assertThat(events).extracting(Event::type).containsExactly("hold", "hold-released");
    }

    @Test
    void a_vm_that_migrated_away_is_not_acted_on_and_one_that_arrives_keeps_its_history() {
        web.close();
        check();
        clock.advance(Duration.ofSeconds(20));
        hypervisor = new FakeHypervisor();
        assertThat(only(check()).verdict().detail()).startsWith("not on this host");
        clock.advance(Duration.ofMinutes(5));
        assertThat(only(check()).verdict().detail()).startsWith("not on this host");
        assertThat(hypervisor.calls()).isEmpty();

        hypervisor = new FakeHypervisor().running("web");
        VmOutcome back = only(check());

        assertThat(back.verdict().detail()).contains("recovering");
        assertThat(new HealthRepository(store).transitions("web")).extracting(HealthRepository.Transition::availability)
                .containsExactly(Availability.DOWN, Availability.ABSENT, Availability.DOWN);
    }
}
