package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the fault campaign's classes share: a tiny VM of their own per test, the seeded random
 * source, the rounds ({@code MVMM_FAULT_ROUNDS}, default 3 for CI; raise it for a soak) and seed
 * ({@code MVMM_FAULT_SEED}, printed), the kill at a random moment, the check that every chain
 * restores to a state the disk really had, and the tally of faults injected and survived, printed
 * and written to {@code target/fault-campaign.txt} (all classes of one run in the one file).
 */
abstract class FaultRounds {

    static final int ROUNDS = rounds(3);
    /** Rounds of the fault kinds of FaultStepsIT and LibvirtdRestartIT, slower ones, in CI. */
    static final int FEWER_ROUNDS = rounds(2);
    static final long SEED = Long.parseLong(System.getenv().getOrDefault("MVMM_FAULT_SEED",
            Long.toString(System.nanoTime() % 100_000)));
    static final List<String> SUMMARY = new ArrayList<>();

    /** {@code MVMM_FAULT_ROUNDS} when set (a soak), else the CI default given. */
    private static int rounds(int ciDefault) {
        String set = System.getenv("MVMM_FAULT_ROUNDS");
        return set == null ? ciDefault : Integer.parseInt(set);
    }

    @TempDir
    Path dir;

    final Random random = new Random(SEED);
    String vm;
    Path disk;
    Path backups;
    final List<Path> states = new ArrayList<>();

    @BeforeAll
    static void bed() {
        TestBed.require();
    }

    @AfterAll
    static void report() throws IOException {
        String text = "fault campaign, seed " + SEED + ", " + ROUNDS + " rounds per operation (" + FEWER_ROUNDS
                + " of the slower kinds)\n"
                + String.join("\n", SUMMARY) + "\n";
        System.out.print(text);
        Files.writeString(Path.of("target", "fault-campaign.txt"), text);
    }

    /** The start of this class's VM names. */
    String prefix() {
        return "mvmm-fault-";
    }

    @BeforeEach
    void setUp() throws IOException {
        vm = prefix() + UUID.randomUUID().toString().substring(0, 8);
        disk = Path.of("/var/lib/libvirt/images", vm + ".qcow2");
        TestBed.defineTinyVm(vm, disk);
        backups = dir.resolve("backups");
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                "max_chains=100", "wait_time=1s"));
    }

    @AfterEach
    void tearDown() throws IOException {
        TestBed.undefine(vm);
        try (Stream<Path> images = Files.list(Path.of("/var/lib/libvirt/images"))) {
            for (Path image : images.filter(p -> p.getFileName().toString().startsWith(vm)).toList()) {
                TestBed.run(List.of("rm", "-rf", image.toString()), 30);
            }
        }
    }

    List<String> command(String... args) {
        return command(dir.resolve("state"), args);
    }

    /** mvmm with a state directory of its own (a fresh failure clock and tally for each round). */
    List<String> command(Path state, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--config-dir=" + dir.resolve("conf"));
        all.add(2, "--state=" + state.resolve("mvmm.db"));
        return TestBed.mvmm(all.toArray(String[]::new));
    }

    TestBed.Run mvmm(String... args) {
        return TestBed.run(command(args), 600);
    }

    /** Writes a random pattern somewhere on the (shut off) disk and keeps a copy of the result. */
    Path change() {
        int megabyte = random.nextInt(56);
        TestBed.writePattern(disk, 1 + random.nextInt(254), megabyte + "M", (1 + random.nextInt(8)) + "M");
        Path copy = dir.resolve("state-" + states.size() + ".qcow2");
        TestBed.Run run = TestBed.run(List.of("qemu-img", "convert", "-U", "-O", "qcow2", disk.toString(),
                copy.toString()), 120);
        assertThat(run.status()).as(run.toString()).isZero();
        states.add(copy);
        return copy;
    }

    /**
     * Starts the command, waits a random time up to {@code maxMillis}, then kills it with SIGKILL
     * (and, half the time, the external tool it runs, by name); returns whether it was still running.
     */
    boolean killDuring(List<String> command, long maxMillis, String tool) throws Exception {
        return killDuring(command, () -> true, maxMillis, tool);
    }

    /**
     * As above, the random time counted from the moment {@code begun} first holds (looked at every
     * few milliseconds): a kill within one step of the command. A command that ends before is not killed.
     */
    boolean killDuring(List<String> command, BooleanSupplier begun, long maxMillis, String tool) throws Exception {
        Process run = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed-" + UUID.randomUUID() + ".log").toFile()).start();
        while (run.isAlive() && !begun.getAsBoolean()) {
            Thread.sleep(3);
        }
        long delay = (long) (random.nextDouble() * maxMillis);
        boolean alive = !run.waitFor(delay, TimeUnit.MILLISECONDS);
        run.destroyForcibly();
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        if (tool != null && random.nextBoolean()) {
            TestBed.run(List.of("pkill", "-9", "-f", tool + ".*" + vm), 10);
        }
        // An orphaned tool may still be finishing; the next run must cope with that too, but the
        // checks below need it gone.
        for (int i = 0; i < 600 && TestBed.run(List.of("pgrep", "-f", "virtnbd.*" + vm), 10).status() == 0; i++) {
            Thread.sleep(100);
        }
        return alive;
    }

    /** The guest's wait in a reboot: long enough for a fault to land inside the sequence. */
    static final int WAIT_INTERVAL_SECONDS = 3;

    /**
     * Starts the VM with a service that never answers; the tiny guest ignores ACPI, so every check
     * reboots it at once, the long way (shutdown, wait_interval, destroy, start), and recovery_time
     * keeps the next check off it.
     */
    void startVmRebootedAtEveryCheck() throws IOException {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.write(dir.resolve("conf/" + vm + ".conf"), List.of("ip=127.0.0.1", "portsall=" + port,
                "fail_threshold=0s", "connect_timeout=300ms", "wait_interval=" + WAIT_INTERVAL_SECONDS + "s",
                "recovery_time=1h", "max_reboots=100"));
        TestBed.checkedVirsh("start", vm);
    }

    /** How many times QEMU started the VM, from libvirt's log of it: one reboot is one start. */
    long qemuStarts() throws IOException {
        Path log = Path.of("/var/log/libvirt/qemu", vm + ".log");
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(line -> line.contains("starting up")).count();
        }
    }

    /** What the last killed run wrote (for a failure's message). */
    String lastKilledLog() throws IOException {
        try (Stream<Path> logs = Files.list(dir)) {
            Path last = logs.filter(p -> p.getFileName().toString().startsWith("killed-"))
                    .max(java.util.Comparator.comparing(p -> p.toFile().lastModified())).orElse(null);
            return last == null ? "" : Files.readString(last);
        }
    }

    long timed(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    void assertOk(TestBed.Run run) {
        assertThat(run.status()).as(run.toString()).isZero();
    }

    /** Every chain's last checkpoint restores to one of the states the disk really had. */
    int assertChainsRestore(Path current) throws IOException {
        List<Path> chains;
        try (Stream<Path> entries = Files.list(backups)) {
            chains = entries.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith(vm))
                    .sorted().toList();
        }
        for (Path chain : chains) {
            Path out = dir.resolve("restore-" + UUID.randomUUID());
            TestBed.Run restore = TestBed.run(List.of("virtnbdrestore", "-i", chain.toString(), "-o",
                    out.toString(), "--noprogress"), 300);
            assertThat(restore.status()).as("chain " + chain.getFileName() + " restores: " + restore).isZero();
            Path image = out.resolve(disk.getFileName());
            if (chain.getFileName().toString().equals(vm)) {
                TestBed.assertSameContent(image, current);
            } else {
                assertThat(states.stream().anyMatch(state -> same(image, state)))
                        .as("archived chain " + chain.getFileName() + " restores to a state the disk had").isTrue();
            }
            TestBed.run(List.of("rm", "-rf", out.toString()), 60);
        }
        return chains.size();
    }

    static boolean same(Path a, Path b) {
        return TestBed.run(List.of("qemu-img", "compare", "-U", a.toString(), b.toString()), 120).status() == 0;
    }
}
