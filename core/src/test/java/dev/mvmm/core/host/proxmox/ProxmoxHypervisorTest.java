package dev.mvmm.core.host.proxmox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mvmm.core.host.HypervisorBusyException;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.support.QmStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Proxmox adapter against the stand-in qm (no Proxmox here; see the stand-in's README). */
class ProxmoxHypervisorTest {

    @TempDir
    Path dir;

    private QmStandIn node;
    private ProxmoxHypervisor hypervisor;

    @BeforeEach
    void setUp() {
        node = new QmStandIn(dir, false);
        node.create("100", "nginx", "running").create("101", "db", "stopped");
        hypervisor = node.hypervisor();
    }

    @AfterEach
    void tearDown() {
        node.close();
    }

    @Test
    void detected_where_etc_pve_exists_and_qm_is_on_the_path(@TempDir Path elsewhere) {
        String path = elsewhere + "::" + node.bin();

        assertThat(ProxmoxHypervisor.detected(node.root(), path)).isTrue();
    }

    @Test
    void not_detected_without_etc_pve_or_without_qm_on_the_path(@TempDir Path plainHost) throws Exception {
        Files.createDirectories(plainHost.resolve("bin/qm"));
        assertThat(ProxmoxHypervisor.detected(plainHost, node.bin().toString())).as("no etc/pve").isFalse();
        assertThat(ProxmoxHypervisor.detected(node.root(), plainHost + ":")).as("no qm on the PATH").isFalse();
        assertThat(ProxmoxHypervisor.detected(node.root(), "")).as("empty PATH").isFalse();
        assertThat(ProxmoxHypervisor.detected(node.root(), plainHost.resolve("bin").toString()))
                .as("a directory named qm").isFalse();
    }

    @Test
    void lists_this_nodes_vms_with_their_names_and_states() {
        java.util.Map<String, VmStatus> vms = hypervisor.list();

        assertThat(vms).containsOnlyKeys("100", "101");
        VmStatus nginx = vms.get("100");
        assertThat(nginx.state()).isEqualTo(PowerState.RUNNING);
        assertThat(nginx.label()).isEqualTo("nginx");
        assertThat(nginx.runId()).startsWith(node.pid("100") + "@");
        assertThat(nginx.startedAt()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        assertThat(vms.get("101").state()).isEqualTo(PowerState.SHUT_OFF);
        assertThat(node.log()).containsExactly("list");
    }

    @Test
    void a_vm_whose_configuration_is_on_another_node_is_absent() {
        node.qm("__standin_remove", "100");

        assertThat(hypervisor.status("100")).isEmpty();
        assertThat(hypervisor.status("999")).isEmpty();
        assertThat(hypervisor.status("not-a-vmid")).isEmpty();
    }

    @Test
    void status_reads_files_and_confirm_asks_qm_which_sees_a_paused_vm() {
        node.qm("__standin_pause", "100");

        assertThat(hypervisor.status("100").orElseThrow().state()).isEqualTo(PowerState.RUNNING);
        assertThat(node.log()).isEmpty();
        assertThat(hypervisor.confirm("100").orElseThrow().state()).isEqualTo(PowerState.PAUSED);
        assertThat(node.log()).containsExactly("status 100 --verbose");
    }

    @Test
    void a_locked_vm_is_reported_as_locked_or_migrating() {
        node.create("102", "backup-in-progress", "running", "lock=backup");
        node.create("103", "moving", "running", "lock=migrate");

        assertThat(hypervisor.status("102").orElseThrow().state()).isEqualTo(PowerState.LOCKED);
        assertThat(hypervisor.status("103").orElseThrow().state()).isEqualTo(PowerState.MIGRATING);
    }

    @Test
    void stop_and_start_give_a_new_run_and_reset_keeps_it() {
        String first = hypervisor.status("100").orElseThrow().runId();

        hypervisor.reset("100");
        assertThat(hypervisor.status("100").orElseThrow().runId()).isEqualTo(first);

        hypervisor.destroy("100");
        assertThat(hypervisor.status("100").orElseThrow().state()).isEqualTo(PowerState.SHUT_OFF);
        hypervisor.start("100");
        VmStatus again = hypervisor.status("100").orElseThrow();

        assertThat(again.state()).isEqualTo(PowerState.RUNNING);
        assertThat(again.runId()).isNotEqualTo(first);
        assertThat(node.log()).containsExactly("reset 100", "stop 100", "start 100");
    }

    @Test
    void shutdown_of_a_guest_that_ignores_it_returns_after_the_timeout_without_failing() {
        long start = System.nanoTime();

        hypervisor.shutdown("100", Duration.ofSeconds(1));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(hypervisor.status("100").orElseThrow().state()).isEqualTo(PowerState.RUNNING);
        assertThat(node.log()).containsExactly("shutdown 100 --timeout 1");
    }

    @Test
    void shutdown_refused_for_the_lock_another_qm_task_holds_is_busy_not_an_ignoring_guest() throws Exception {
        try (AutoCloseable operatorsShutdown = node.holdLock("100")) {
            assertThatThrownBy(() -> hypervisor.shutdown("100", Duration.ofSeconds(1)))
                    .isInstanceOf(HypervisorBusyException.class)
                    .hasMessageContaining("cannot shut down VM 100: another Proxmox task holds its lock")
                    .hasMessageContaining("can't lock file").hasMessageContaining("got timeout");
        }
        assertThat(hypervisor.status("100").orElseThrow().state()).isEqualTo(PowerState.RUNNING);
        assertThat(node.log()).containsExactly("shutdown 100 --timeout 1");
    }

    @Test
    void shutdown_of_an_obedient_guest_stops_it(@TempDir Path other) {
        try (QmStandIn obedient = new QmStandIn(other, true)) {
            obedient.create("200", "web", "running");

            obedient.hypervisor().shutdown("200", Duration.ofSeconds(10));

            assertThat(obedient.hypervisor().status("200").orElseThrow().state()).isEqualTo(PowerState.SHUT_OFF);
        }
    }

    @Test
    void failures_name_the_vm_and_carry_qms_message() {
        assertThatThrownBy(() -> hypervisor.start("100")).isInstanceOf(HypervisorException.class)
                .hasMessageContaining("cannot start VM 100").hasMessageContaining("already running");
        assertThatThrownBy(() -> hypervisor.reset("101")).isInstanceOf(HypervisorException.class)
                .hasMessageContaining("cannot reset VM 101").hasMessageContaining("not running");
    }
}
