package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -v} and {@code -q} on a real process's stderr (tinylog is set up once per process): a check
 * of a healthy VM (logged at debug), a failing one (warning) and one with a broken file (error).
 */
class LogLevelTest {

    @TempDir
    Path dir;

    private ServerSocket service;

    @BeforeEach
    void setUp() throws IOException {
        service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int closedPort;
        try (ServerSocket closed = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = closed.getLocalPort();
        }
        Files.writeString(dir.resolve("node.xml"), "<node>" + domain("web") + domain("db") + domain("bad")
                + "</node>");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.write(conf.resolve("mvmm.conf"), List.of("connect_timeout=500ms",
                "uri=test://" + dir.resolve("node.xml")));
        Files.write(conf.resolve("web.conf"), List.of("ip=127.0.0.1", "portsall=" + service.getLocalPort()));
        Files.write(conf.resolve("db.conf"), List.of("ip=127.0.0.1", "portsall=" + closedPort));
        Files.write(conf.resolve("bad.conf"), List.of("ip=127.0.0.1", "portsall=http"));
    }

    @AfterEach
    void tearDown() throws IOException {
        service.close();
    }

    private static String domain(String name) {
        return "<domain type='test'><name>" + name + "</name><memory>65536</memory><os><type>hvm</type></os></domain>";
    }

    private CliRun check(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state.db")));
        args.addAll(List.of(options));
        return CliRun.inOwnProcess(args.toArray(String[]::new));
    }

    @Test
    void by_default_warnings_and_errors_are_logged_but_not_debug() throws Exception {
        CliRun run = check();

        assertThat(run.status()).as(run.toString()).isEqualTo(78);
        assertThat(run.err()).as(run.toString()).contains("<4>[db] failing: port ").contains("<3>[bad] ")
                .doesNotContain("<7>");
    }

    @Test
    void verbose_adds_debug_lines() throws Exception {
        CliRun run = check("-v");

        assertThat(run.err()).as(run.toString()).contains("<7>[web] healthy: all ports answer")
                .contains("<4>[db] failing: port ").contains("<3>[bad] ");
    }

    @Test
    void quiet_logs_errors_only() throws Exception {
        CliRun run = check("-q");

        assertThat(run.status()).as(run.toString()).isEqualTo(78);
        assertThat(run.err().lines()).as(run.toString()).isNotEmpty().allMatch(line -> line.startsWith("<3>"));
        assertThat(run.err()).contains("<3>[bad] ");
    }

    /** A logger(1) on PATH that appends its input to logger.out and says it started in logger.started. */
    private java.util.Map<String, String> fakeLogger() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path logger = bin.resolve("logger");
        Files.writeString(logger, "#!/bin/sh\necho \"$@\" >> '" + dir.resolve("logger.started") + "'\ncat >> '"
                + dir.resolve("logger.out") + "'\n");
        logger.toFile().setExecutable(true);
        return java.util.Map.of("PATH", bin + ":" + System.getenv("PATH"));
    }

    @Test
    void syslog_lines_reach_logger_complete_before_the_process_ends() throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--syslog", "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state.db")));
        CliRun run = CliRun.inOwnProcess(fakeLogger(), args.toArray(String[]::new));

        assertThat(run.status()).as(run.toString()).isEqualTo(78);
        assertThat(run.err()).as(run.toString()).doesNotContain("[db] failing");
        // Facility daemon (24) plus the level: warning 4, error 3.
        assertThat(Files.readString(dir.resolve("logger.out"))).contains("<28>[db] failing: port ")
                .contains("<27>[bad] ");
        assertThat(Files.readString(dir.resolve("logger.started"))).contains("--prio-prefix").contains("--tag mvmm");
    }

    @Test
    void a_run_that_logs_nothing_does_not_start_logger() throws Exception {
        CliRun run = CliRun.inOwnProcess(fakeLogger(), "stats", "--syslog", "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state.db"));

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).contains("window: ");
        assertThat(dir.resolve("logger.started")).doesNotExist();
    }
}
