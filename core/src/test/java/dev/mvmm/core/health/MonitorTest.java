package dev.mvmm.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.config.ConfigLoader;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.notify.Event;
import dev.mvmm.core.probe.Prober;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.MaintenanceRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.store.VmHealth;
import dev.mvmm.core.support.FakeHypervisor;
import dev.mvmm.core.support.CapturedLog;
import dev.mvmm.core.support.Listener;
import dev.mvmm.core.support.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor in real time, with short intervals; the hypervisor is the only fake. */
class MonitorTest {

    @TempDir
    Path dir;

    private final FakeHypervisor hypervisor = new FakeHypervisor().running("web");
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private StateStore store;
    private Prober prober;
    private Monitor monitor;
    private Listener web;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        conf("mvmm.conf", "check_interval=1", "fail_interval=1", "fail_threshold=2", "wait_interval=1",
                "recovery_time=30", "connect_timeout=300ms");
        web = Listener.open();
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port());
        store = StateStore.open(dir.resolve("mvmm.db"));
        prober = new Prober();
        HealthServices services = new HealthServices(hypervisor, new HealthRepository(store),
                new MaintenanceRepository(store), new VmLocks(dir.resolve("locks"), Clock.systemUTC()),
                new dev.mvmm.core.power.PowerMarkers(dir.resolve("power")), prober,
                events::add, Clock.systemUTC(), Sleeper.SYSTEM);
        monitor = new Monitor(services, () -> new ConfigLoader(dir.resolve("conf")).load());
    }

    @AfterEach
    void tearDown() {
        monitor.stop(Duration.ofSeconds(10));
        prober.close();
        store.close();
        web.close();
    }

    private void conf(String file, String... lines) throws IOException {
        Files.write(dir.resolve("conf").resolve(file), List.of(lines));
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("waited " + limit + " for " + what).isTrue();
            Thread.sleep(50);
        }
    }

    private boolean started(String vm) {
        return hypervisor.calls().contains("start " + vm);
    }

    @Test
    void reboots_a_failing_vm_after_the_threshold_and_then_keeps_watching() throws Exception {
        monitor.start();
        await("first checks", Duration.ofSeconds(5), () -> monitor.statistics().get(0).checks() >= 2);
        assertThat(hypervisor.calls()).isEmpty();

        long closed = System.nanoTime();
        web.close();
        await("the reboot", Duration.ofSeconds(10), () -> started("web"));

        assertThat(Duration.ofNanos(System.nanoTime() - closed)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(hypervisor.calls()).containsExactly("shutdown web", "destroy web", "start web");
        assertThat(hypervisor.state("web")).isEqualTo(PowerState.RUNNING);
        await("the reboot event", Duration.ofSeconds(5), () -> !events.isEmpty());
        assertThat(events.get(0).type()).isEqualTo("reboot");
        int after = monitor.statistics().get(0).checks();
        await("checks after the reboot", Duration.ofSeconds(5), () -> monitor.statistics().get(0).checks() > after);
    }

    @Test
    void starts_a_vm_another_operation_stopped_once_that_operation_lets_go_of_it() throws Exception {
        hypervisor.shutOff("db");
        conf("db.conf", "action=none");
        dev.mvmm.core.power.PowerMarkers markers = new dev.mvmm.core.power.PowerMarkers(dir.resolve("power"));
        markers.write(dev.mvmm.core.power.PowerMarker.of("db", "replicate --shutdown-source", PowerState.RUNNING,
                java.time.Instant.now().minusSeconds(600)));
        VmLocks other = new VmLocks(dir.resolve("locks"), Clock.systemUTC());

        try (dev.mvmm.core.lock.VmLock held = other.tryLock("db", "replicate to db2").orElseThrow()) {
            monitor.start();
            await("checks while the replicate holds db", Duration.ofSeconds(5),
                    () -> monitor.statistics().stream().anyMatch(s -> s.vm().equals("db") && s.checks() >= 2));
            assertThat(started("db")).as("left alone while locked").isFalse();
        }
        await("db started", Duration.ofSeconds(5), () -> started("db"));

        assertThat(hypervisor.state("db")).isEqualTo(PowerState.RUNNING);
        assertThat(markers.read("db")).isEmpty();
        await("the start announced", Duration.ofSeconds(5), () -> events.stream()
                .anyMatch(e -> e.type().equals("started") && e.message().contains("replicate --shutdown-source")));
    }

    @Test
    void the_loop_guard_counts_the_reboot_the_monitor_itself_just_took() throws Exception {
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port(), "max_reboots=1", "reboot_window=1h",
                "recovery_time=1s");
        web.close();
        monitor.start();

        await("the reboot", Duration.ofSeconds(10), () -> started("web"));
        await("the hold after it", Duration.ofSeconds(15),
                () -> monitor.statistics().get(0).verdict().equals("hold"));

        assertThat(hypervisor.calls().stream().filter(call -> call.equals("start web")))
                .as("max_reboots=1: one reboot, then a hold").hasSize(1);
    }

    @Test
    void a_marker_written_while_the_monitor_runs_is_acted_on() throws Exception {
        hypervisor.shutOff("db");
        conf("db.conf", "action=none");
        monitor.start();
        await("checks of db, shut off", Duration.ofSeconds(5),
                () -> monitor.statistics().stream().anyMatch(s -> s.vm().equals("db") && s.checks() >= 2));
        assertThat(started("db")).as("mvmm never starts a VM someone else stopped").isFalse();

        new dev.mvmm.core.power.PowerMarkers(dir.resolve("power")).write(dev.mvmm.core.power.PowerMarker.of("db",
                "replicate --shutdown-source", PowerState.RUNNING, java.time.Instant.now().minusSeconds(600)));

        await("db started", Duration.ofSeconds(5), () -> started("db"));
        assertThat(hypervisor.state("db")).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void a_hung_probe_on_one_vm_does_not_delay_another_vms_reboot() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = fill(full);
            conf("slow.conf", "ip=127.0.0.1", "portsall=" + full.getLocalPort(), "connect_timeout=20s");
            hypervisor.running("slow");
            web.close();
            long start = System.nanoTime();

            monitor.start();
            await("web's reboot", Duration.ofSeconds(12), () -> started("web"));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
            assertThat(monitor.statistics()).filteredOn(s -> s.vm().equals("slow")).singleElement()
                    .satisfies(slow -> assertThat(slow.checks()).as("slow's first probe still hangs").isZero());
            for (Socket socket : fillers) {
                socket.close();
            }
        }
    }

    @Test
    void reload_picks_up_added_and_removed_vm_files() throws Exception {
        monitor.start();
        assertThat(monitor.watched()).isEqualTo(1);
        Listener db = Listener.open();
        conf("db.conf", "ip=127.0.0.1", "portsall=" + db.port());
        hypervisor.running("db");

        monitor.reload();
        assertThat(monitor.watched()).isEqualTo(2);
        await("db checked", Duration.ofSeconds(5), () -> monitor.statistics().stream()
                .anyMatch(s -> s.vm().equals("db") && s.checks() > 0));

        Files.delete(dir.resolve("conf/web.conf"));
        monitor.reload();
        assertThat(monitor.statistics()).extracting(Monitor.VmStatistics::vm).containsExactly("db");
        db.close();
    }

    @Test
    void reload_applies_a_changed_vm_file_the_new_port_is_probed() throws Exception {
        monitor.start();
        await("web healthy", Duration.ofSeconds(5), () -> monitor.statistics().get(0).verdict().equals("healthy"));
        int moved = Listener.closedPort();
        conf("web.conf", "ip=127.0.0.1", "portsall=" + moved, "fail_threshold=1h");

        Thread.sleep(1500);
        assertThat(monitor.statistics().get(0).verdict()).as("the file alone changes nothing").isEqualTo("healthy");
        monitor.reload();

        await("the new port probed", Duration.ofSeconds(5), () -> monitor.statistics().get(0).detail()
                .contains("port " + moved + " refused"));
        assertThat(monitor.statistics().get(0).verdict()).isEqualTo("failing");
        assertThat(monitor.statistics().get(0).detail()).as("the changed fail_threshold too").contains("of 1h");
        assertThat(hypervisor.calls()).isEmpty();
    }

    @Test
    void a_broken_global_file_on_reload_keeps_the_old_configuration() throws Exception {
        monitor.start();
        conf("mvmm.conf", "check_interval=soon");

        monitor.reload();

        assertThat(monitor.watched()).isEqualTo(1);
    }

    @Test
    void host_maintenance_toggled_by_signal_stops_actions_and_is_persisted() throws Exception {
        monitor.start();
        assertThat(monitor.toggleMaintenance()).isTrue();
        assertThat(new MaintenanceRepository(store).all()).extracting(MaintenanceRepository.Window::scope)
                .containsExactly(MaintenanceRepository.GLOBAL);
        web.close();

        Thread.sleep(4000);
        assertThat(hypervisor.calls()).isEmpty();

        assertThat(monitor.toggleMaintenance()).isFalse();
        await("the reboot after maintenance", Duration.ofSeconds(10), () -> started("web"));
    }

    @Test
    void maintenance_set_by_another_process_is_seen_and_states_reach_the_database() throws Exception {
        monitor.start();
        await("first checks", Duration.ofSeconds(5), () -> monitor.statistics().get(0).checks() >= 2);
        try (StateStore other = StateStore.open(dir.resolve("mvmm.db"))) {
            HealthRepository otherHealth = new HealthRepository(other);
            java.time.Instant checked = otherHealth.load("web").orElseThrow().checkedAt();
            // Routine states (only the check's time moves) are held back up to 10 s.
            await("routine states written", Duration.ofSeconds(15),
                    () -> otherHealth.load("web").orElseThrow().checkedAt().isAfter(checked));
            MaintenanceRepository windows = new MaintenanceRepository(other);
            windows.put(new MaintenanceRepository.Window("web", java.time.Instant.now(), null, "by hand"));
            web.close();

            Thread.sleep(4000);
            assertThat(hypervisor.calls()).isEmpty();
            assertThat(otherHealth.load("web").orElseThrow().detail()).contains("maintenance");

            windows.remove("web");
            await("the reboot after maintenance", Duration.ofSeconds(10), () -> started("web"));
        }
    }

    @Test
    void a_state_another_process_wrote_is_not_overwritten_by_an_older_check_time_held_back() throws Exception {
        monitor.start();
        await("routine checks held back", Duration.ofSeconds(5), () -> monitor.statistics().get(0).checks() >= 3);
        try (StateStore other = StateStore.open(dir.resolve("mvmm.db"))) {
            HealthRepository otherHealth = new HealthRepository(other);
            VmHealth.Builder written = otherHealth.load("web").orElseThrow().toBuilder();
            written.checkedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            written.detail = "checked by another mvmm process";
            otherHealth.save(written.build());

            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                assertThat(otherHealth.load("web").orElseThrow().checkedAt()).as("the database's state of web")
                        .isAfterOrEqualTo(written.checkedAt);
                Thread.sleep(100);
            }
        }
    }

    @Test
    void logs_still_running_every_log_interval_not_at_every_check() throws Exception {
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port(), "log_interval=2");
        try (CapturedLog log = CapturedLog.open()) {
            monitor.start();
            await("six checks", Duration.ofSeconds(10), () -> monitor.statistics().get(0).checks() >= 6);

            List<CapturedLog.Line> lines = log.containing("[web] still running");
            assertThat(lines).hasSizeBetween(2, 4);
            assertThat(lines.get(0).text()).matches("INFO \\[web\\] still running: healthy, up \\d+m?s");
            for (int i = 1; i < lines.size(); i++) {
                assertThat(Duration.ofNanos(lines.get(i).nanos() - lines.get(i - 1).nanos()))
                        .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            }
        }
    }

    @Test
    void statistics_signal_logs_a_line_per_vm() throws Exception {
        Listener db = Listener.open();
        conf("db.conf", "ip=127.0.0.1", "portsall=" + db.port(), "fail_threshold=1h");
        hypervisor.running("db");
        db.close();
        monitor.start();
        await("both checked twice", Duration.ofSeconds(5), () -> monitor.statistics().stream()
                .allMatch(s -> s.checks() >= 2));

        try (CapturedLog log = CapturedLog.open()) {
            monitor.logStatistics();

            assertThat(log.texts("monitor: ")).containsExactly(
                    "INFO monitor: 2 VMs watched, 0 actions running, host maintenance off");
            assertThat(log.texts("[db] ")).singleElement().satisfies(line -> assertThat(line)
                    .matches("INFO \\[db\\] failing, up \\d+s; \\d+ checks, \\d+ failing, 0 actions since start; "
                            + "port " + db.port() + " refused; failing for \\d+s of 1h"));
            assertThat(log.texts("[web] ")).singleElement().satisfies(line -> assertThat(line)
                    .matches("INFO \\[web\\] healthy, up \\d+s; \\d+ checks, 0 failing, 0 actions since start; "
                            + "all ports answer"));
        }
        assertThat(monitor.statistics()).extracting(Monitor.VmStatistics::vm).containsExactly("db", "web");
        assertThat(monitor.statistics().get(0).failures()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void maintenance_switched_on_as_a_reboot_was_due_stops_it_and_is_not_counted_as_an_action() throws Exception {
        hypervisor.beforeConfirm(() -> new MaintenanceRepository(store).put(new MaintenanceRepository.Window("web",
                java.time.Instant.now(), null, "by hand")));
        monitor.start();
        web.close();

        await("the reboot stopped", Duration.ofSeconds(10), () -> monitor.statistics().get(0).detail()
                .contains("maintenance began meanwhile: no action"));

        assertThat(hypervisor.calls()).isEmpty();
        assertThat(monitor.statistics().get(0).actions()).isZero();
    }

    @Test
    void stopping_lets_a_reboot_in_progress_finish() throws Exception {
        monitor.start();
        web.close();
        await("the shutdown request", Duration.ofSeconds(10), () -> hypervisor.calls().contains("shutdown web"));

        monitor.stop(Duration.ofSeconds(30));

        assertThat(hypervisor.calls()).containsExactly("shutdown web", "destroy web", "start web");
        assertThat(hypervisor.state("web")).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void a_crash_in_one_vms_task_is_retried_and_others_carry_on() throws Exception {
        Listener db = Listener.open();
        conf("db.conf", "ip=127.0.0.1", "portsall=" + db.port());
        hypervisor.running("db").failStatus("web", 2);

        monitor.start();
        await("db checked twice", Duration.ofSeconds(5), () -> monitor.statistics().stream()
                .anyMatch(s -> s.vm().equals("db") && s.checks() >= 2));
        await("web checked after its crashes", Duration.ofSeconds(10), () -> monitor.statistics().stream()
                .anyMatch(s -> s.vm().equals("web") && s.checks() >= 1));
        db.close();
    }

    @Test
    void a_vm_whose_probes_pass_is_not_asked_about_at_every_check_but_a_failure_is_judged_on_a_fresh_status()
            throws Exception {
        monitor.start();
        await("four checks", Duration.ofSeconds(8), () -> monitor.statistics().get(0).checks() >= 4);
        assertThat(hypervisor.statusReads()).as("one read for four passing checks").isEqualTo(1);

        // Shut off by someone, its port closed with it: the first failed probe reads the status again,
        // and the VM is recorded as stopped, not rebooted.
        hypervisor.shutOff("web");
        web.close();
        await("the stop seen", Duration.ofSeconds(4), () -> monitor.statistics().get(0).detail()
                .contains("shut off"));
        Thread.sleep(2500);
        assertThat(hypervisor.calls()).isEmpty();
    }

    @Test
    void a_failure_seen_on_a_reused_status_is_judged_on_a_fresh_one_without_probing_again() throws Exception {
        Listener db = Listener.open();
        conf("web.conf", "ip=127.0.0.1", "portsall=" + web.port() + "," + db.port(), "action=none");
        monitor.start();
        await("three passing checks", Duration.ofSeconds(6), () -> monitor.statistics().get(0).checks() >= 3);

        web.close();
        await("the failure recorded", Duration.ofSeconds(4), () -> monitor.statistics().get(0).failures() >= 1);
        int checks = monitor.statistics().get(0).checks();
        int probes = db.connections();
        int reads = hypervisor.statusReads();
        await("three more failing checks", Duration.ofSeconds(6),
                () -> monitor.statistics().get(0).checks() >= checks + 3);
        int failing = monitor.statistics().get(0).checks() - checks;
        int probed = db.connections() - probes;
        int read = hypervisor.statusReads() - reads;
        db.close();

        // Each failing check probes once (the port still open answers once a check, give or take the
        // one in flight) and is decided on a status read after its probe, not on the reused one.
        assertThat(probed).isBetween(failing - 1, failing + 1);
        assertThat(read).isBetween(failing - 1, failing + 1);
        assertThat(hypervisor.calls()).isEmpty();
    }

    @Test
    void a_vm_that_migrates_away_is_not_acted_on_and_is_picked_up_when_it_returns() throws Exception {
        monitor.start();
        hypervisor.remove("web");
        web.close();
        Thread.sleep(3500);
        assertThat(hypervisor.calls()).isEmpty();
        assertThat(monitor.statistics().get(0).detail()).startsWith("not on this host");

        hypervisor.running("web");
        await("picked up again", Duration.ofSeconds(3), () -> monitor.statistics().get(0).detail()
                .contains("recovering"));
    }

    @Test
    void acts_at_the_threshold_counted_from_the_first_failure_a_check_recorded() throws Exception {
        conf("mvmm.conf", "check_interval=1", "fail_interval=1", "fail_threshold=6", "wait_interval=1",
                "recovery_time=30", "connect_timeout=300ms");
        web.close();
        // Two 'mvmm check' runs, 4 s and 2 s ago, as a timer made them before the host switched to the daemon.
        Instant firstFailure = Instant.now().minusSeconds(4);
        MutableClock clock = new MutableClock(firstFailure);
        check(clock);
        clock.advance(Duration.ofSeconds(2));
        assertThat(check(clock).outcomes()).singleElement()
                .satisfies(web -> assertThat(web.verdict().detail()).contains("failing for 2s of 6s"));
        assertThat(hypervisor.calls()).isEmpty();

        long start = System.nanoTime();
        monitor.start();
        await("the reboot", Duration.ofSeconds(12), () -> hypervisor.calls().contains("shutdown web"));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("6s from check's first failure, not from the "
                + "monitor's start").isLessThan(Duration.ofMillis(4500));
        assertThat(new HealthRepository(store).actions("web")).singleElement().satisfies(action -> assertThat(
                Duration.between(firstFailure, action.at())).isBetween(Duration.ofSeconds(6), Duration.ofSeconds(8)));
    }

    /** One 'mvmm check' pass on the monitor's database, at the given clock's time. */
    private CheckReport check(MutableClock clock) {
        Configuration config = new ConfigLoader(dir.resolve("conf")).load();
        HealthServices services = new HealthServices(hypervisor, new HealthRepository(store),
                new MaintenanceRepository(store), new VmLocks(dir.resolve("locks"), clock),
                new dev.mvmm.core.power.PowerMarkers(dir.resolve("power")), prober, events::add,
                clock, clock);
        return new HealthCheck(services).run(new CheckRequest(config.vms(), List.of()));
    }

    private static List<Socket> fill(ServerSocket server) {
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), 200);
                fillers.add(socket);
            } catch (IOException e) {
                break;
            }
        }
        return fillers;
    }
}
