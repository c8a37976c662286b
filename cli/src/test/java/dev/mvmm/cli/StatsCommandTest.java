package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mvmm.core.backup.BackupRepository;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.store.VmHealth;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
    void a_broken_global_configuration_costs_only_the_display_names() throws Exception {
        Files.writeString(dir.resolve("conf/mvmm.conf"), "connect_timeout=soon\n");

        CliRun run = CliRun.inOwnProcess("stats", "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state.db"));

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.err()).contains("configuration not read").contains("mvmm.conf").contains("connect_timeout");
        assertThat(run.out()).containsPattern("db +failing").containsPattern("web +healthy").doesNotContain("nginx")
                .doesNotContain("[removed]");
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
    void prometheus_file_with_backups_actions_holds_and_a_removed_vm_passes_promtool() throws Exception {
        Instant now = Instant.now();
        try (StateStore store = StateStore.open(dir.resolve("state.db"))) {
            BackupRepository backups = new BackupRepository(store);
            backups.chainStarted("web", "c1", now.minus(Duration.ofDays(8)), "/backup/web/c1");
            backups.backup("web", "c1", "full", now.minus(Duration.ofDays(8)), now.minus(Duration.ofDays(8)),
                    900_000L, "ok", null);
            backups.chainArchived("web", "c1", now.minus(Duration.ofDays(1)), "/backup/web/archive/c1");
            backups.chainStarted("web", "c2", now.minus(Duration.ofDays(1)), "/backup/web/c2");
            backups.backup("web", "c2", "full", now.minus(Duration.ofHours(20)), now.minus(Duration.ofHours(19)),
                    1_000_000L, "ok", null);
            backups.backup("web", "c2", "inc", now.minus(Duration.ofHours(3)), now.minus(Duration.ofHours(2)),
                    50_000L, "ok", null);
            backups.backup("web", "c2", "sync", now.minus(Duration.ofMinutes(90)), now.minus(Duration.ofMinutes(80)),
                    null, "ok", null);
            backups.backup("web", "c2", "restore", now.minus(Duration.ofMinutes(30)),
                    now.minus(Duration.ofMinutes(20)), null, "failed", "disk full");
            HealthRepository health = new HealthRepository(store);
            health.recordAction("db", now.minus(Duration.ofHours(2)), "reboot", "ok", null);
            health.recordAction("db", now.minus(Duration.ofHours(1)), "reset", "ok", null);
            health.recordAction("db", now.minus(Duration.ofMinutes(10)), "hold", "on", "3 actions within 1h");
            VmHealth.Builder db = health.load("db").orElseThrow().toBuilder();
            db.hold = new VmHealth.Hold(now.minus(Duration.ofMinutes(10)), "3 actions within 1h");
            health.save(db.build());
        }
        Files.delete(dir.resolve("conf/db.conf"));
        Path file = dir.resolve("mvmm.prom");

        CliRun run = mvmm("stats", "--prometheus", file.toString());

        assertThat(run.status()).as(run.toString()).isZero();
        String text = Files.readString(file);
        assertThat(text).contains("mvmm_vm_configured{vm=\"db\",name=\"db\"} 0")
                .contains("mvmm_vm_on_hold{vm=\"db\",name=\"db\"} 1")
                .contains("mvmm_vm_actions_total{vm=\"db\",name=\"db\",action=\"reboot\"} 1")
                .contains("mvmm_vm_actions_total{vm=\"db\",name=\"db\",action=\"reset\"} 1")
                .contains("mvmm_vm_actions_total{vm=\"db\",name=\"db\",action=\"hold\"} 1")
                .containsPattern("mvmm_vm_last_backup_timestamp_seconds\\{vm=\"web\",name=\"nginx\",level=\"inc\"} "
                        + "[0-9.]+\n")
                .contains("mvmm_vm_last_backup_success{vm=\"web\",name=\"nginx\"} 1")
                .contains("mvmm_vm_last_backup_size_bytes{vm=\"web\",name=\"nginx\"} 50000")
                .contains("mvmm_vm_backup_chain_length{vm=\"web\",name=\"nginx\"} 2")
                .contains("mvmm_vm_backup_archived_chains{vm=\"web\",name=\"nginx\"} 1")
                .contains("mvmm_vm_last_sync_success{vm=\"web\",name=\"nginx\"} 1")
                .contains("mvmm_vm_last_sync_timestamp_seconds{vm=\"web\",name=\"nginx\"} ")
                .contains("mvmm_vm_last_restore_success{vm=\"web\",name=\"nginx\"} 0")
                .contains("mvmm_vm_last_restore_timestamp_seconds{vm=\"web\",name=\"nginx\"} ");
        promtool(file);
    }

    private CliRun mvmmOnANewHost(String... args) throws IOException {
        Path host = Files.createDirectories(dir.resolve("new-host/conf"));
        String[] all = new String[args.length + 4];
        all[0] = "stats";
        all[1] = "--config-dir=" + host;
        all[2] = "--state=" + host.resolveSibling("state.db");
        all[3] = "-q";
        System.arraycopy(args, 0, all, 4, args.length);
        return CliRun.of(all);
    }

    @Test
    void no_vms_and_an_empty_database_say_so() throws IOException {
        CliRun run = mvmmOnANewHost();

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).matches("window: \\S+ to \\S+ \\(1d\\)\nno VMs configured and no history recorded\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void no_vms_and_an_empty_database_are_an_empty_json_list() throws IOException {
        CliRun run = mvmmOnANewHost("--json");

        assertThat(run.status()).as(run.toString()).isZero();
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.get("vms").isArray()).isTrue();
        assertThat(root.get("vms")).isEmpty();
        assertThat(root.get("window_seconds").asDouble()).isEqualTo(86400.0);
        assertThat(run.err()).isEmpty();
    }

    @Test
    void a_prometheus_directory_is_refused_with_the_file_to_give_instead() throws IOException {
        Path textfiles = Files.createDirectories(dir.resolve("node-exporter"));

        CliRun run = mvmm("stats", "--prometheus", textfiles.toString());

        assertThat(run.status()).isEqualTo(73);
        assertThat(run.err()).contains("cannot write " + textfiles + ": it is a directory; give a file in it, e.g. "
                + textfiles.resolve("mvmm.prom"));
        try (var left = Files.list(dir)) {
            assertThat(left.map(Path::toString)).noneMatch(name -> name.contains(".tmp."));
        }
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
    void a_since_meant_as_a_duration_says_what_is_wrong_with_it() {
        CliRun tooLong = mvmm("stats", "--since", "1000000d");
        CliRun negative = mvmm("stats", "--since", "-5d");
        CliRun years = mvmm("stats", "--since", "1y");

        assertThat(tooLong.status()).isEqualTo(64);
        assertThat(tooLong.err()).contains("--since: '1000000d' is too large; the longest is 36500d (100 years)");
        assertThat(negative.status()).isEqualTo(64);
        assertThat(negative.err()).contains("--since: '-5d' is negative");
        assertThat(years.status()).isEqualTo(64);
        assertThat(years.err()).contains("--since: '1y' is not a duration; write seconds (30) or a number with a unit");
    }

    @Test
    void a_since_in_the_future_is_a_usage_error_and_opens_nothing() {
        CliRun run = mvmm("stats", "--since", "2999-01-01");
        CliRun fresh = CliRun.of("stats", "--config-dir=" + dir.resolve("conf"), "--state=" + dir.resolve("new.db"),
                "--since", "2999-01-01T08:00");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("--since: 2999-01-01 is in the future; the window ends now");
        assertThat(run.out()).isEmpty();
        assertThat(fresh.status()).isEqualTo(64);
        assertThat(dir.resolve("new.db")).doesNotExist();
    }

    /** A name mvmm never saw is not a removed VM: it is labelled apart and, with the log on, named as a likely typo. */
    @Test
    void a_vm_never_configured_nor_checked_is_unknown_not_removed() throws Exception {
        CliRun run = mvmm("stats", "wbe", "db");

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern("wbe \\[unknown\\] +never checked").doesNotContain("[removed]")
                .containsPattern("db +failing");
        CliRun logged = CliRun.inOwnProcess("stats", "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state.db"), "wbe", "db");
        assertThat(logged.err()).contains("[wbe] no configuration file wbe.conf in " + dir.resolve("conf")
                + " and no history recorded; did you mean 'web'?").doesNotContain("[db]");
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
