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
}
