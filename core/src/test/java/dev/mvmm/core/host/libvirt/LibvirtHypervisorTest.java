package dev.mvmm.core.host.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.HypervisorUnavailableException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libvirt adapter against libvirt's own test driver: real libvirt, no daemon, no QEMU. */
class LibvirtHypervisorTest {

    private LibvirtHypervisor hypervisor;

    @BeforeEach
    void connect() {
        hypervisor = LibvirtHypervisor.connect(URI.create("test:///default"));
    }

    @AfterEach
    void close() {
        hypervisor.status("test").filter(status -> status.state() != PowerState.RUNNING)
                .ifPresent(status -> hypervisor.start("test"));
        hypervisor.close();
    }

    @Test
    void lists_the_default_domain_as_running_and_persistent() {
        assertThat(hypervisor.list()).containsOnlyKeys("test");
        VmStatus test = hypervisor.list().get("test");
        assertThat(test.state()).isEqualTo(PowerState.RUNNING);
        assertThat(test.persistent()).isTrue();
        assertThat(test.runId()).isNotBlank();
        assertThat(hypervisor.describe()).isEqualTo("libvirt test:///default");
    }

    @Test
    void an_unknown_domain_is_absent() {
        assertThat(hypervisor.status("nope")).isEmpty();
    }

    @Test
    void destroy_then_start_gives_a_new_run() {
        String before = hypervisor.status("test").orElseThrow().runId();

        hypervisor.destroy("test");
        VmStatus off = hypervisor.status("test").orElseThrow();
        hypervisor.start("test");
        VmStatus on = hypervisor.status("test").orElseThrow();

        assertThat(off.state()).isEqualTo(PowerState.SHUT_OFF);
        assertThat(off.runId()).isNull();
        assertThat(hypervisor.list()).containsKey("test");
        assertThat(on.state()).isEqualTo(PowerState.RUNNING);
        assertThat(on.runId()).isNotEqualTo(before);
    }

    @Test
    void shutdown_and_reset_reach_the_domain() {
        hypervisor.reset("test");
        assertThat(hypervisor.status("test").orElseThrow().state()).isEqualTo(PowerState.RUNNING);

        hypervisor.shutdown("test", java.time.Duration.ofSeconds(5));
        assertThat(hypervisor.status("test").orElseThrow().state()).isEqualTo(PowerState.SHUT_OFF);
    }

    @Test
    void starting_a_running_domain_is_a_clear_error() {
        assertThatThrownBy(() -> hypervisor.start("test")).isInstanceOf(HypervisorException.class)
                .hasMessageStartingWith("cannot start VM test: ");
    }

    @Test
    void operations_on_unknown_domains_name_the_vm() {
        assertThatThrownBy(() -> hypervisor.reset("ghost")).isInstanceOf(HypervisorException.class)
                .hasMessageContaining("VM ghost");
    }

    @Test
    void lists_paused_and_shut_off_domains_of_a_custom_node(@TempDir Path dir) throws IOException {
        Path node = dir.resolve("node.xml");
        Files.writeString(node, "<node>"
                + "<domain type='test'><name>a</name><memory>65536</memory><os><type>hvm</type></os></domain>"
                + "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>b</name>"
                + "<memory>65536</memory><os><type>hvm</type></os><test:runstate>5</test:runstate></domain>"
                + "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>c</name>"
                + "<memory>65536</memory><os><type>hvm</type></os><test:runstate>3</test:runstate></domain>"
                + "</node>");
        try (LibvirtHypervisor custom = LibvirtHypervisor.connect(URI.create("test://" + node))) {
            assertThat(custom.list()).containsOnlyKeys("a", "b", "c");
            assertThat(custom.list().get("a").state()).isEqualTo(PowerState.RUNNING);
            assertThat(custom.list().get("b").state()).isEqualTo(PowerState.SHUT_OFF);
            assertThat(custom.list().get("c").state()).isEqualTo(PowerState.PAUSED);
        }
    }

    @Test
    void an_unreachable_libvirt_is_reported_as_unavailable(@TempDir Path dir) {
        URI uri = URI.create("qemu+unix:///system?socket=" + dir.resolve("no-such.sock"));

        assertThatThrownBy(() -> LibvirtHypervisor.connect(uri)).isInstanceOf(HypervisorUnavailableException.class)
                .hasMessageContaining("cannot connect to libvirt at " + uri)
                .hasMessageContaining("check that libvirtd");
    }
}
