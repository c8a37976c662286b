package dev.mvmm.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.config.ConfigLoader;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.host.proxmox.ProxmoxHypervisor;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.probe.Prober;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.MaintenanceRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.support.Listener;
import dev.mvmm.core.support.MutableClock;
import dev.mvmm.core.support.QmStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks on a Proxmox node (the stand-in qm): reboot through qm, and a VM migrating away and back. */
class ProxmoxCheckTest {

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
    private QmStandIn node;
    private ProxmoxHypervisor hypervisor;
    private StateStore store;
    private Listener service;
    private Prober prober;

    @BeforeEach
    void setUp() throws IOException {
        node = new QmStandIn(dir.resolve("node"), false);
        node.create("100", "nginx", "running");
        hypervisor = node.hypervisor();
        service = Listener.open();
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("hypervisor=proxmox", "fail_threshold=30",
                "wait_interval=1", "recovery_time=60", "connect_timeout=500ms"));
        Files.write(dir.resolve("conf/100.conf"), List.of("ip=127.0.0.1", "portsall=" + service.port()));
        store = StateStore.open(dir.resolve("mvmm.db"));
        prober = new Prober();
    }

    @AfterEach
    void tearDown() {
        prober.close();
        store.close();
        service.close();
        node.close();
    }

    private VmOutcome check() {
        Configuration config = new ConfigLoader(dir.resolve("conf")).load();
        HealthServices services = new HealthServices(hypervisor, new HealthRepository(store),
                new MaintenanceRepository(store), new VmLocks(dir.resolve("locks"), clock),
                new dev.mvmm.core.power.PowerMarkers(dir.resolve("power")), prober, event -> { },
                clock, clock);
        return new HealthCheck(services).run(new CheckRequest(config.vms(), List.of())).outcomes().get(0);
    }

    @Test
    void a_failing_vm_is_rebooted_through_qm() {
        String pid = node.pid("100");
        assertThat(check().displayName()).isEqualTo("nginx");
        service.close();

        check();
        clock.advance(Duration.ofSeconds(30));
        VmOutcome outcome = check();

        assertThat(outcome.verdict().kind()).isEqualTo("rebooted");
        assertThat(node.log()).containsExactly("status 100 --verbose", "shutdown 100 --timeout 1", "stop 100",
                "start 100");
        assertThat(node.pid("100")).isNotNull().isNotEqualTo(pid);
    }

    @Test
    void a_vm_another_qm_task_holds_is_not_stopped_hard_nor_started() throws Exception {
        String pid = node.pid("100");
        service.close();
        check();
        clock.advance(Duration.ofSeconds(30));

        VmOutcome outcome;
        try (AutoCloseable operatorsShutdown = node.holdLock("100")) {
            outcome = check();
        }

        assertThat(outcome.verdict().kind()).isEqualTo("reboot-failed");
        assertThat(outcome.verdict().detail()).contains("another Proxmox task holds its lock")
                .contains("not starting it");
        assertThat(node.log()).containsExactly("status 100 --verbose", "shutdown 100 --timeout 1");
        assertThat(node.pid("100")).isEqualTo(pid);
        assertThat(new HealthRepository(store).load("100").orElseThrow().pending()).isNull();
    }

    @Test
    void a_paused_vm_is_never_rebooted() {
        service.close();
        node.qm("__standin_pause", "100");
        check();
        clock.advance(Duration.ofSeconds(30));

        VmOutcome outcome = check();

        assertThat(outcome.verdict().detail()).startsWith("paused when about to reboot: left alone");
        assertThat(node.log()).containsExactly("status 100 --verbose");
    }

    @Test
    void a_vm_migrated_away_is_left_to_its_new_node_and_picked_up_again_when_it_returns() {
        service.close();
        check();
        clock.advance(Duration.ofSeconds(20));
        node.qm("__standin_remove", "100");

        clock.advance(Duration.ofMinutes(5));
        assertThat(check().verdict().detail()).startsWith("not on this host");
        assertThat(node.log()).isEmpty();

        node.create("100", "nginx", "running");
        VmOutcome back = check();

        assertThat(back.verdict().detail()).contains("recovering");
        assertThat(node.log()).isEmpty();
        assertThat(new HealthRepository(store).transitions("100")).extracting(HealthRepository.Transition::availability)
                .containsExactly(Availability.DOWN, Availability.ABSENT, Availability.DOWN);
    }
}
