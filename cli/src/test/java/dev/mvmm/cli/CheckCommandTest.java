package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvmm check} through the command line, against libvirt's test driver loaded from a node
 * file (real libvirt, no daemon) and services on 127.0.0.1.
 */
class CheckCommandTest {

    @TempDir
    Path dir;

    private ServerSocket service;
    private int closedPort;

    @BeforeEach
    void setUp() throws IOException {
        service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket closed = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = closed.getLocalPort();
        }
        Files.writeString(dir.resolve("node.xml"), "<node>"
                + domain("web", null) + domain("db", null) + domain("old", "5") + "</node>");
        Files.createDirectories(dir.resolve("conf"));
        conf("mvmm.conf", "check_interval=2", "fail_interval=15", "fail_threshold=30", "wait_interval=15",
                "log_interval=900", "connect_timeout=500ms", "uri=test://" + dir.resolve("node.xml"));
        conf("web.conf", "name=nginx", "ip=127.0.0.1", "portsall=" + service.getLocalPort());
        conf("db.conf", "ip=127.0.0.1", "portsall=" + closedPort);
        conf("old.conf", "ip=127.0.0.1", "portsall=" + closedPort);
    }

    @AfterEach
    void tearDown() throws IOException {
        service.close();
    }

    private static String domain(String name, String runstate) {
        return "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>" + name
                + "</name><memory>65536</memory><os><type>hvm</type></os>"
                + (runstate == null ? "" : "<test:runstate>" + runstate + "</test:runstate>") + "</domain>";
    }

    private void conf(String file, String... lines) throws IOException {
        Files.write(dir.resolve("conf").resolve(file), List.of(lines));
    }

    private CliRun mvmm(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = args[0];
        all[1] = "--config-dir=" + dir.resolve("conf");
        all[2] = "--state=" + dir.resolve("state.db");
        all[3] = "-q";
        System.arraycopy(args, 1, all, 4, args.length - 1);
        return CliRun.of(all);
    }

    @Test
    void table_shows_a_healthy_a_failing_and_a_stopped_vm() {
        CliRun run = mvmm("check");

        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).containsPattern("VM +POWER +RESULT +LATENCY +DETAIL")
                .containsPattern("web \\(nginx\\) +running +healthy +[0-9.]+ ms +all ports answer")
                .containsPattern("db +running +failing +- +port " + closedPort + " refused; failing for .* of 30s")
                .containsPattern("old +shut off +skipped +- +shut off: left alone");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void healthy_only_exits_zero() {
        CliRun run = mvmm("check", "web", "old");

        assertThat(run.status()).as(run.toString()).isZero();
    }

    @Test
    void json_output_is_machine_readable() throws IOException {
        CliRun run = mvmm("check", "--json");

        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.get("worst").asText()).isEqualTo("warning");
        assertThat(root.get("vms")).hasSize(3);
        JsonNode web = root.get("vms").get(2);
        assertThat(web.get("vm").asText()).isEqualTo("web");
        assertThat(web.get("name").asText()).isEqualTo("nginx");
        assertThat(web.get("result").asText()).isEqualTo("healthy");
        assertThat(web.get("latency_seconds").asDouble()).isPositive();
        assertThat(root.get("counts").get("warning").asInt()).isEqualTo(1);
    }

    @Test
    void nagios_output_follows_the_plugin_guidelines() {
        CliRun ok = mvmm("check", "--nagios", "web");
        CliRun warning = mvmm("check", "--nagios");

        assertThat(ok.status()).isZero();
        assertThat(ok.out()).matches("MVMM OK - 1 VMs checked, 1 healthy \\| vms=1;;;0 healthy=1;;;0 warning=0;;;0 "
                + "critical=0;;;0 'web_time'=[0-9.]+s;;;0\\R");
        assertThat(warning.status()).isEqualTo(1);
        assertThat(warning.out()).startsWith("MVMM WARNING - db failing (1 of 3 healthy) | ");
    }

    @Test
    void nagios_is_critical_for_a_vm_put_on_hold_while_failing() throws IOException {
        conf("db.conf", "ip=127.0.0.1", "portsall=" + closedPort, "fail_threshold=0", "recovery_time=0",
                "max_reboots=0");

        CliRun run = mvmm("check", "--nagios");

        assertThat(run.status()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).matches("MVMM CRITICAL - db hold \\(1 of 3 healthy\\) \\| vms=3;;;0 healthy=1;;;0 "
                + "warning=0;;;0 critical=1;;;0 .*\\R");
    }

    @Test
    void nagios_is_unknown_for_a_broken_vm_file_when_nothing_is_worse() throws IOException {
        conf("db.conf", "ip=127.0.0.1", "portsall=" + closedPort, "fail_threshold=soon");

        CliRun run = mvmm("check", "--nagios", "web", "db");

        assertThat(run.status()).as(run.toString()).isEqualTo(3);
        assertThat(run.out()).startsWith("MVMM UNKNOWN - db skipped (1 of 2 healthy) | vms=2;;;0 healthy=1;;;0 "
                + "warning=0;;;0 critical=0;;;0 'web_time'=");
    }

    @Test
    void nagios_does_not_let_a_broken_vm_file_hide_a_critical_vm() throws IOException {
        conf("db.conf", "ip=127.0.0.1", "portsall=" + closedPort, "fail_threshold=soon");
        conf("web.conf", "ip=127.0.0.1", "portsall=" + closedPort, "fail_threshold=0", "recovery_time=0",
                "max_reboots=0");

        CliRun run = mvmm("check", "--nagios");

        assertThat(run.status()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).startsWith("MVMM CRITICAL - db skipped, web hold (0 of 3 healthy) | ");
    }

    @Test
    void nagios_reports_an_unusable_configuration_as_unknown() throws IOException {
        conf("mvmm.conf", "fail_treshold=30");

        CliRun run = mvmm("check", "--nagios");

        assertThat(run.status()).isEqualTo(3);
        assertThat(run.out()).startsWith("MVMM UNKNOWN - ").contains("did you mean 'fail_threshold'?");
    }

    @Test
    void a_broken_global_file_exits_78_before_acting_with_no_stack_trace() throws IOException {
        conf("mvmm.conf", "check_interval=2", "fail_treshold=30");

        CliRun run = mvmm("check");

        assertThat(run.status()).isEqualTo(78);
        assertThat(run.err()).isEqualTo("mvmm check: error: " + dir.resolve("conf/mvmm.conf")
                + ":2: 'fail_treshold': unknown key; did you mean 'fail_threshold'?" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
        assertThat(Files.exists(dir.resolve("state.db"))).as("nothing was touched").isFalse();
    }

    @Test
    void a_broken_vm_file_exits_78_and_the_other_vms_are_checked() throws IOException {
        conf("db.conf", "ip=127.0.0.1", "portsall=" + closedPort, "fail_threshold=soon");

        CliRun run = mvmm("check");

        assertThat(run.status()).isEqualTo(78);
        assertThat(run.out()).contains("db.conf:3: 'fail_threshold': 'soon' is not a duration")
                .containsPattern("web \\(nginx\\) +running +healthy");
    }

    @Test
    void an_unreachable_hypervisor_exits_69() {
        CliRun run = mvmm("check", "--connect", "qemu+unix:///system?socket=" + dir.resolve("none.sock"));

        assertThat(run.status()).isEqualTo(69);
        assertThat(run.err()).startsWith("mvmm check: error: cannot connect to libvirt at qemu+unix:///system")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void debug_adds_the_stack_trace() {
        CliRun run = mvmm("check", "--debug", "--connect", "qemu+unix:///system?socket=" + dir.resolve("x.sock"));

        assertThat(run.status()).isEqualTo(69);
        assertThat(run.err()).contains("HypervisorUnavailableException").contains("\tat ");
    }

    @Test
    void a_vm_named_without_configuration_is_reported_and_the_others_checked() {
        CliRun run = mvmm("check", "web", "wbe");

        assertThat(run.status()).isEqualTo(78);
        assertThat(run.out()).contains("wbe").contains("no configuration file wbe.conf")
                .containsPattern("web \\(nginx\\) +running +healthy");
    }

    @Test
    void an_unusable_state_database_exits_74() throws IOException {
        Files.createDirectories(dir.resolve("state.db"));

        CliRun run = mvmm("check");

        assertThat(run.status()).isEqualTo(74);
        assertThat(run.err()).contains("cannot open the state database").doesNotContain("\tat ");
    }

    @Test
    void a_damaged_state_database_is_moved_aside_said_so_and_the_check_carries_on() throws IOException {
        Files.writeString(dir.resolve("state.db"), "not a database, only text that fills the header bytes....");

        CliRun run = mvmm("check");

        // The fixture's 'db' VM fails: exit 1, as on a healthy database; the message goes to the log
        // (FaultIT sees it on a real process's stderr).
        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).containsPattern("web \\(nginx\\) +running +healthy");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(f -> f.startsWith("state.db.damaged-"));
        }
    }
}
