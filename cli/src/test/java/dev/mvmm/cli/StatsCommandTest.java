package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mvmm stats} after real {@code check} runs on libvirt's test driver. */
class StatsCommandTest {

    @TempDir
    Path dir;

    private ServerSocket service;

    @BeforeEach
    void setUp() throws IOException {
        service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort();
        }
        Files.writeString(dir.resolve("node.xml"), "<node>"
                + "<domain type='test'><name>web</name><memory>65536</memory><os><type>hvm</type></os></domain>"
                + "<domain type='test'><name>db</name><memory>65536</memory><os><type>hvm</type></os></domain>"
                + "</node>");
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("connect_timeout=500ms", "fail_threshold=1h",
                "uri=test://" + dir.resolve("node.xml")));
        Files.write(dir.resolve("conf/web.conf"), List.of("name=nginx", "ip=127.0.0.1",
                "portsall=" + service.getLocalPort()));
        Files.write(dir.resolve("conf/db.conf"), List.of("ip=127.0.0.1", "portsall=" + closed));
        mvmm("check");
        mvmm("check");
    }

    @AfterEach
    void tearDown() throws IOException {
        service.close();
    }

    private CliRun mvmm(String command, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = command;
        all[1] = "--config-dir=" + dir.resolve("conf");
        all[2] = "--state=" + dir.resolve("state.db");
        all[3] = "-q";
        System.arraycopy(args, 0, all, 4, args.length);
        return CliRun.of(all);
    }

    @Test
    void table_shows_each_vm_now_and_over_the_window() {
        CliRun run = mvmm("stats");

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("window: ").containsPattern("VM +NOW +AVAILABILITY +UP +DOWN")
                .containsPattern("db +failing +0\\.000% +0 +\\S+ +0 +0 +\\S+ +1 +- +0 +0 +none")
                .containsPattern("web \\(nginx\\) +healthy +100\\.000%");
    }

    @Test
    void json_has_the_figures_in_seconds() throws IOException {
        CliRun run = mvmm("stats", "--json", "--since", "7d", "db");

        JsonNode db = new ObjectMapper().readTree(run.out()).get("vms").get(0);
        assertThat(db.get("vm").asText()).isEqualTo("db");
        assertThat(db.get("availability_ratio").asDouble()).isZero();
        assertThat(db.get("seconds").get("down").asDouble()).isPositive();
        assertThat(db.get("seconds").get("unknown").asDouble()).isGreaterThan(6 * 86400.0);
        assertThat(db.get("outages").asInt()).isEqualTo(1);
        assertThat(db.get("now").get("result").asText()).isEqualTo("failing");
        assertThat(db.get("last_backup").isNull()).isTrue();
    }

    @Test
    void a_vm_removed_from_the_configuration_is_still_reported() throws IOException {
        Files.delete(dir.resolve("conf/db.conf"));

        CliRun run = mvmm("stats");

        assertThat(run.out()).contains("db [removed]");
    }

    @Test
    void prometheus_file_is_written_atomically_and_passes_promtool() throws Exception {
        Path file = dir.resolve("textfile/mvmm.prom");
        Files.createDirectories(file.getParent());

        CliRun run = mvmm("stats", "--prometheus", file.toString());

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).isEmpty();
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("mvmm.prom");
        }
        String text = Files.readString(file);
        assertThat(text).contains("# TYPE mvmm_vm_outages_total counter")
                .contains("mvmm_vm_up{vm=\"web\",name=\"nginx\"} 1")
                .contains("mvmm_vm_up{vm=\"db\",name=\"db\"} 0")
                .containsPattern("mvmm_vm_window_seconds\\{vm=\"db\",name=\"db\",window=\"1d\",state=\"down\"} [0-9.]+")
                .contains("mvmm_vm_last_check_timestamp_seconds{vm=\"web\"");
        promtool(file);
    }

    @Test
    void an_unwritable_prometheus_file_exits_73() {
        CliRun run = mvmm("stats", "--prometheus", dir.resolve("missing/dir/mvmm.prom").toString());

        assertThat(run.status()).isEqualTo(73);
        assertThat(run.err()).contains("cannot write").contains("check that its directory exists");
    }

    @Test
    void a_bad_since_is_a_usage_error() {
        CliRun run = mvmm("stats", "--since", "last tuesday");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("--since: 'last tuesday' is neither a duration");
    }

    @Test
    void since_accepts_dates() {
        assertThat(mvmm("stats", "--since", "2026-01-01").status()).isZero();
        assertThat(mvmm("stats", "--since", "2026-01-01T08:00").status()).isZero();
    }

    /** The real Prometheus parser; required where the test bed is (promtool comes with it). */
    static void promtool(Path file) throws Exception {
        boolean available = Files.isExecutable(Path.of("/usr/bin/promtool"));
        if ("1".equals(System.getenv("MVMM_REQUIRE_TESTBED"))) {
            assertThat(available).as("promtool (Debian package prometheus) must be installed").isTrue();
        }
        Assumptions.assumeTrue(available, "promtool not installed");
        Process check = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as("promtool check metrics:\n" + output).isZero();
        assertThat(output).as("promtool's lint").isEmpty();
    }
}
