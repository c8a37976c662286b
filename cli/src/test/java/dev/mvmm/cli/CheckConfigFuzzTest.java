package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mvmm.core.config.ConfigException;
import dev.mvmm.core.config.ConfigLoader;
import dev.mvmm.core.config.Configuration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration fuzzing through the command line: {@code mvmm check} over damaged files, against
 * libvirt's test driver. Whatever the damage, no stack trace reaches the operator, the exit status
 * is a documented one (never 70, an internal error), and a VM whose file is broken is reported and
 * not checked while the VM next to it still is. The core's {@code ConfigFuzzTest} covers the loader
 * itself with many more cases; {@code -Dmvmm.fuzz.cli.cases=N} runs more here.
 */
class CheckConfigFuzzTest {

    private static final long SEED = Long.getLong("mvmm.fuzz.seed", 20_261_121L);
    private static final int CASES = Integer.getInteger("mvmm.fuzz.cli.cases", 200);
    private static final Set<Integer> DOCUMENTED = Set.of(0, 1, 64, 69, 74, 75, 78);
    private static final Pattern TRACE = Pattern.compile(
            // \b and possessive quantifiers: a 100,000-character message must not take seconds to search.
            "\tat |Exception|\\b[a-z]++(?:\\.[a-z0-9_]++)++\\.[A-Z]\\w*Error\\b");
    private static final String[] INSERTS = {"=", " ", "\t", "#", "\\", "'", "\"", "-", "\u0000", "\u001b[2J",
        "\u2028", "\u0085", "\ufeff", "é", "\ud83d\ude00", "\uff18", "99999999999999999999", "106751991167300d",
        "-5", "5min", "1.5h", "\r", "\r\n", "colour=blue\n", "[web]\n", "1h30m".repeat(3000), "x".repeat(50_000)};

    @TempDir
    Path dir;

    private ServerSocket service;
    private Path conf;
    private String global;
    private String web;

    @BeforeEach
    void setUp() throws IOException {
        service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        // Hundreds of probes: accept them, or the backlog fills and later probes time out.
        Thread acceptor = new Thread(() -> {
            while (!service.isClosed()) {
                try {
                    service.accept().close();
                } catch (IOException e) {
                    // Closed at the end of the test.
                }
            }
        }, "fuzz-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        Files.writeString(dir.resolve("node.xml"), "<node>" + domain("web") + domain("db") + "</node>");
        conf = Files.createDirectories(dir.resolve("conf"));
        global = "check_interval=2\nfail_interval=15\nfail_threshold=30\nwait_interval=1\nlog_interval=900\n"
                + "connect_timeout=200ms\naction=none\nuri=test://" + dir.resolve("node.xml") + "\n";
        web = "name=nginx\nip=127.0.0.1\nportsall=" + service.getLocalPort() + "\nmax_reboots=3\n"
                + "reboot_window=1h\nrecovery_time=0\nportsany=" + service.getLocalPort() + ", 22\n";
        Files.writeString(conf.resolve("db.conf"), "ip=127.0.0.1\nportsall=" + service.getLocalPort() + "\n");
    }

    @AfterEach
    void tearDown() throws IOException {
        service.close();
    }

    private static String domain(String name) {
        return "<domain type='test'><name>" + name + "</name><memory>65536</memory><os><type>hvm</type></os>"
                + "</domain>";
    }

    @Test
    void check_over_damaged_files_never_shows_a_stack_trace_and_never_checks_a_broken_vm() throws IOException {
        Random seeds = new Random(SEED);
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < CASES && failures.size() < 10; i++) {
            long caseSeed = seeds.nextLong();
            String failure = runCase(caseSeed, i % 2 == 1);
            if (failure != null) {
                failures.add("case " + i + " (seed " + caseSeed + "): " + failure);
            }
        }
        System.out.printf("check config fuzz: seed %d, %d cases in %d ms (CPU %d ms)%n", SEED, CASES,
                (System.nanoTime() - started) / 1_000_000, java.lang.management.ManagementFactory.getThreadMXBean()
                        .getCurrentThreadCpuTime() / 1_000_000);
        assertThat(failures).isEmpty();
    }

    private String runCase(long caseSeed, boolean json) throws IOException {
        Random random = new Random(caseSeed);
        boolean globalDamaged = random.nextInt(4) == 0;
        byte[] globalBytes = globalDamaged ? damage(random, global) : global.getBytes(StandardCharsets.UTF_8);
        byte[] webBytes = globalDamaged ? web.getBytes(StandardCharsets.UTF_8) : damage(random, web);
        Files.write(conf.resolve("mvmm.conf"), globalBytes);
        Files.write(conf.resolve("web.conf"), webBytes);
        Configuration expected = null;
        try {
            expected = new ConfigLoader(conf).load();
        } catch (ConfigException e) {
            // The command must refuse it too: checked below.
        }
        CliRun run = CliRun.of(json ? new String[] {"check", "--config-dir=" + conf, "--state=" + dir.resolve("state.db"),
            "-q", "--json"} : new String[] {"check", "--config-dir=" + conf, "--state=" + dir.resolve("state.db"), "-q"});
        List<String> wrong = new ArrayList<>();
        if (TRACE.matcher(run.out() + run.err()).find()) {
            wrong.add("a stack trace or exception name reached the operator");
        }
        if (!DOCUMENTED.contains(run.status())) {
            wrong.add("exit status " + run.status() + " (documented: " + DOCUMENTED + "; 70 is an internal error)");
        }
        if (expected == null) {
            if (run.status() != 78 || !run.out().isEmpty()
                    || !run.err().startsWith("mvmm check: error: " + conf.resolve("mvmm.conf") + ":")) {
                wrong.add("a broken mvmm.conf must stop the command with 78 and say where");
            }
        } else if (!expected.vm("web").orElseThrow().isValid()) {
            String row = row(run.out(), json, "web");
            if (run.status() != 78 || !row.contains("configuration invalid, VM not checked: " + conf.resolve("web.conf"))
                    || row.contains("healthy") || row.contains("failing")) {
                wrong.add("a broken web.conf must be reported, not checked, with exit 78; its row: " + row);
            }
            if (!row(run.out(), json, "db").contains("healthy")) {
                wrong.add("db, next to the broken web.conf, was not checked");
            }
        }
        if (wrong.isEmpty()) {
            return null;
        }
        return wrong + "\n    mvmm.conf: " + shown(globalBytes) + "\n    web.conf: " + shown(webBytes) + "\n    "
                + shown(run.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** What the table or the JSON says about one VM: its result and detail. */
    private static String row(String out, boolean json, String vm) {
        if (json) {
            try {
                for (JsonNode each : new ObjectMapper().readTree(out).path("vms")) {
                    if (each.path("vm").asText().equals(vm)) {
                        return each.path("result").asText() + " " + each.path("detail").asText();
                    }
                }
            } catch (IOException e) {
                return "no JSON: " + e.getMessage();
            }
            return "";
        }
        return out.lines().filter(line -> line.startsWith(vm + " ")).findFirst().orElse("");
    }

    /** One to three insertions, deletions or repetitions, sometimes bytes that are not UTF-8. */
    private static byte[] damage(Random random, String text) {
        String damaged = text;
        for (int steps = 1 + random.nextInt(3); steps > 0; steps--) {
            int at = random.nextInt(damaged.length() + 1);
            int kind = random.nextInt(4);
            if (kind == 0 && at < damaged.length()) {
                damaged = damaged.substring(0, at) + damaged.substring(at + 1);
            } else if (kind == 1 && at < damaged.length()) {
                damaged = damaged.substring(0, at) + damaged.charAt(at) + damaged.substring(at);
            } else {
                damaged = damaged.substring(0, at) + INSERTS[random.nextInt(INSERTS.length)] + damaged.substring(at);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] encoded = damaged.getBytes(StandardCharsets.UTF_8);
        int cut = random.nextInt(8) == 0 ? random.nextInt(encoded.length + 1) : -1;
        for (int i = 0; i < encoded.length; i++) {
            if (i == cut) {
                bytes.write(random.nextBoolean() ? 0xff : 0xc3);
            }
            bytes.write(encoded[i]);
        }
        return bytes.toByteArray();
    }

    private static String shown(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (int i = 0; i < text.length() && out.length() < 600; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f || c == '\n' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.toString();
    }
}
