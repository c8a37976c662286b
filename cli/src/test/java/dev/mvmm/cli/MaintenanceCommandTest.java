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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaintenanceCommandTest {

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/web.conf"), List.of("ip=127.0.0.1", "portsall=80"));
    }

    private CliRun mvmm(String... args) {
        String[] prefix = {"maintenance", "--config-dir=" + dir.resolve("conf"), "--state=" + dir.resolve("s.db"),
            "-q"};
        String[] all = new String[prefix.length + args.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(args, 0, all, prefix.length, args.length);
        return CliRun.of(all);
    }

    @Test
    void global_maintenance_on_status_off() {
        CliRun on = mvmm("on", "--reason", "host upgrade");
        assertThat(on.status()).as(on.toString()).isZero();
        assertThat(on.out()).isEqualTo("maintenance on for the whole host until 'mvmm maintenance off'\n");

        assertThat(mvmm("status").out()).startsWith("host: in maintenance since ").contains("(host upgrade)");

        CliRun off = mvmm("off");
        assertThat(off.out()).isEqualTo("maintenance off for the whole host\n");
        assertThat(mvmm("status").out()).isEqualTo("host: not in maintenance\n");
    }

    @Test
    void per_vm_maintenance_with_an_end() throws IOException {
        CliRun on = mvmm("on", "web", "--for", "2h");

        assertThat(on.out()).startsWith("maintenance on for VM web until ");
        JsonNode status = new ObjectMapper().readTree(mvmm("status", "--json").out());
        assertThat(status.get("host").get("maintenance").asBoolean()).isFalse();
        assertThat(status.get("vms").get(0).get("vm").asText()).isEqualTo("web");
        assertThat(status.get("vms").get(0).get("in_maintenance").asBoolean()).isTrue();
        // The end as 'on' announced it is the end 'status' reports, to the character.
        String until = on.out().strip().substring("maintenance on for VM web until ".length());
        assertThat(status.get("vms").get(0).get("until").asText()).isEqualTo(until);
        assertThat(mvmm("status", "web").out()).contains(" until " + until);
    }

    @Test
    void a_window_in_the_past_is_over() throws InterruptedException {
        mvmm("on", "web", "--for", "1s");
        Thread.sleep(1100);

        assertThat(mvmm("status", "web").out()).contains("web: not in maintenance");
    }

    @Test
    void off_for_a_vm_not_in_maintenance_says_so() {
        assertThat(mvmm("off", "web").out()).isEqualTo("maintenance off for VM web (it was not on)\n");
    }

    @Test
    void clear_without_holds_says_so() {
        assertThat(mvmm("clear").out()).isEqualTo("no VM is on hold\n");
    }

    @Test
    void clear_releases_a_vm_that_a_check_put_on_hold() throws IOException {
        int closedPort;
        try (ServerSocket closed = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = closed.getLocalPort();
        }
        Files.writeString(dir.resolve("node.xml"), "<node><domain type='test'><name>web</name><memory>65536</memory>"
                + "<os><type>hvm</type></os></domain></node>");
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=test://" + dir.resolve("node.xml")));
        Files.write(dir.resolve("conf/web.conf"), List.of("ip=127.0.0.1", "portsall=" + closedPort,
                "fail_threshold=0", "recovery_time=0", "max_reboots=0"));
        CliRun check = CliRun.of("check", "--config-dir=" + dir.resolve("conf"), "--state=" + dir.resolve("s.db"),
                "-q");
        assertThat(check.out()).as(check.toString()).containsPattern("web +running +hold ");
        assertThat(mvmm("status", "web").out()).contains("web: not in maintenance; ON HOLD since ");

        CliRun clear = mvmm("clear", "web");

        assertThat(clear.status()).as(clear.toString()).isZero();
        assertThat(clear.out()).isEqualTo("web: released from hold\n");
        assertThat(mvmm("status", "web").out()).isEqualTo("host: not in maintenance\nweb: not in maintenance\n");
        assertThat(mvmm("clear").out()).isEqualTo("no VM is on hold\n");
    }

    @Test
    void a_bad_duration_is_a_usage_error() {
        CliRun run = mvmm("on", "--for", "soon");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("--for: 'soon' is not a duration");
    }

    @Test
    void an_unsafe_vm_name_is_refused() {
        CliRun run = mvmm("on", "../etc");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("VM name '../etc' cannot be used");
    }
}
