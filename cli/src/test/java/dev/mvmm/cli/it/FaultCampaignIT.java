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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection with a real VM: {@code mvmm} killed with SIGKILL at a random (seeded) moment of
 * a backup, an in-place restore and a replicate, sometimes with the tool it was running killed too.
 * After each fault the next run must succeed and say so, the VM must be in the state it was in
 * before (running stays running), and every chain must still restore bit-identical to a state
 * the disk really had. Rounds per operation: {@code MVMM_FAULT_ROUNDS} (default 3, for CI; raise it
 * for a soak), seed {@code MVMM_FAULT_SEED} (printed). Figures go to stdout and
 * {@code target/fault-campaign.txt}.
 */
class FaultCampaignIT {

    private static final int ROUNDS = Integer.parseInt(System.getenv().getOrDefault("MVMM_FAULT_ROUNDS", "3"));
    private static final long SEED = Long.parseLong(System.getenv().getOrDefault("MVMM_FAULT_SEED",
            Long.toString(System.nanoTime() % 100_000)));
    private static final List<String> SUMMARY = new ArrayList<>();

    @TempDir
    Path dir;

    private final Random random = new Random(SEED);
    private String vm;
    private Path disk;
    private Path backups;
    private final List<Path> states = new ArrayList<>();

    @BeforeAll
    static void bed() {
        TestBed.require();
    }

    @AfterAll
    static void report() throws IOException {
        String text = "fault campaign, seed " + SEED + ", " + ROUNDS + " rounds per operation\n"
                + String.join("\n", SUMMARY) + "\n";
        System.out.print(text);
        Files.writeString(Path.of("target", "fault-campaign.txt"), text);
    }

    @BeforeEach
    void setUp() throws IOException {
        vm = "mvmm-fault-" + UUID.randomUUID().toString().substring(0, 8);
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

    private List<String> command(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--config-dir=" + dir.resolve("conf"));
        all.add(2, "--state=" + dir.resolve("state/mvmm.db"));
        return TestBed.mvmm(all.toArray(String[]::new));
    }

    private TestBed.Run mvmm(String... args) {
        return TestBed.run(command(args), 600);
    }

    /** Writes a random pattern somewhere on the (shut off) disk and keeps a copy of the result. */
    private Path change() {
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
    private boolean killDuring(List<String> command, long maxMillis, String tool) throws Exception {
        Process run = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed-" + UUID.randomUUID() + ".log").toFile()).start();
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

    /** What the last killed run wrote (for a failure's message). */
    private String lastKilledLog() throws IOException {
        try (Stream<Path> logs = Files.list(dir)) {
            Path last = logs.filter(p -> p.getFileName().toString().startsWith("killed-"))
                    .max(java.util.Comparator.comparing(p -> p.toFile().lastModified())).orElse(null);
            return last == null ? "" : Files.readString(last);
        }
    }

    private long timed(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    private void assertOk(TestBed.Run run) {
        assertThat(run.status()).as(run.toString()).isZero();
    }

    /** Every chain's last checkpoint restores to one of the states the disk really had. */
    private int assertChainsRestore(Path current) throws IOException {
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

    private static boolean same(Path a, Path b) {
        return TestBed.run(List.of("qemu-img", "compare", "-U", a.toString(), b.toString()), 120).status() == 0;
    }

    @Test
    void mvmm_killed_at_random_moments_of_backups_loses_no_chain_and_the_next_run_recovers() throws Exception {
        Path current = change();
        long full = timed(() -> assertOk(mvmm("backup", vm)));
        int survived = 0;
        int killedWhileRunning = 0;
        for (int round = 0; round < ROUNDS; round++) {
            current = change();
            List<String> args = new ArrayList<>(List.of("backup", vm));
            if (random.nextInt(3) == 0) {
                args.add("--full");
            }
            if (killDuring(command(args.toArray(String[]::new)), full + 1500, "virtnbdbackup")) {
                killedWhileRunning++;
            }
            String killed = lastKilledLog();

            TestBed.Run next = mvmm("backup", vm);

            try {
                assertOk(next);
                assertThat(next.out()).containsPattern(vm + " +ok +(full|inc) ");
                assertThat(TestBed.domState(vm)).as("the VM was shut off and stays so").isEqualTo("shut off");
                assertChainsRestore(current);
            } catch (AssertionError e) {
                throw new AssertionError("round " + round + " (" + args + "), the killed run said:\n" + killed
                        + "\nthe next run: " + next + "\n" + e.getMessage() + "\nthe disk: "
                        + TestBed.run(List.of("qemu-img", "info", "-U", disk.toString()), 60) + "\ncheckpoints: "
                        + TestBed.run(List.of("virsh", "-c", TestBed.URI, "checkpoint-list", vm), 60) + "\nchain: "
                        + TestBed.run(List.of("ls", "-laR", backups.toString()), 60) + "\nlogs: "
                        + TestBed.run(List.of("sh", "-c", "tail -n 15 " + backups.resolve(vm) + "/*.log"), 60), e);
            }
            survived++;
        }
        SUMMARY.add(String.format("backup:          %d faults injected (%d while mvmm ran), %d survived", ROUNDS,
                killedWhileRunning, survived));
    }

    @Test
    void mvmm_killed_at_random_moments_of_an_in_place_restore_leaves_the_vm_running_on_whole_data()
            throws Exception {
        Path first = change();
        assertOk(mvmm("backup", vm));
        Path second = change();
        assertOk(mvmm("backup", vm));
        TestBed.checkedVirsh("start", vm);
        String[] toSecond = restoreArgs("1");
        long restore = timed(() -> assertOk(mvmm(toSecond)));
        int survived = 0;
        int killedWhileRunning = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String checkpoint = random.nextBoolean() ? "0" : "1";
            if (killDuring(command(restoreArgs(checkpoint)), restore + 1000, "virtnbdrestore")) {
                killedWhileRunning++;
            }
            Path now = dir.resolve("now-" + round + ".qcow2");
            assertThat(TestBed.run(List.of("qemu-img", "convert", "-U", "-O", "qcow2", disk.toString(),
                    now.toString()), 120).status()).isZero();
            assertThat(same(now, first) || same(now, second)).as("the disk is one whole state, never a mixture")
                    .isTrue();

            TestBed.Run next = mvmm(restoreArgs(checkpoint));

            assertOk(next);
            assertThat(TestBed.domState(vm)).as("the VM runs after the next restore").isEqualTo("running");
            TestBed.assertSameContent(disk, checkpoint.equals("0") ? first : second);
            survived++;
        }
        SUMMARY.add(String.format("in-place restore: %d faults injected (%d while mvmm ran), %d survived", ROUNDS,
                killedWhileRunning, survived));
    }

    /** An in-place restore of the chain with both checkpoints: current, or archived by an earlier restore. */
    private String[] restoreArgs(String checkpoint) throws IOException {
        List<String> args = new ArrayList<>(List.of("restore", vm, "--in-place", "--checkpoint", checkpoint, "--yes"));
        if (!Files.isDirectory(backups.resolve(vm))) {
            try (Stream<Path> entries = Files.list(backups)) {
                args.addAll(List.of("--chain", entries.map(p -> p.getFileName().toString())
                        .filter(name -> name.startsWith(vm + ".")).sorted().reduce((a, b) -> b).orElseThrow()));
            }
        }
        return args.toArray(String[]::new);
    }

    @Test
    void mvmm_killed_at_random_moments_of_a_replicate_leaves_the_source_alone_and_the_next_run_completes()
            throws Exception {
        Path content = change();
        String probe = vm + "-probe";
        long replicate = timed(() -> assertOk(mvmm("replicate", vm, probe)));
        TestBed.undefine(probe);
        int survived = 0;
        int killedWhileRunning = 0;
        int finishedFirst = 0;
        int rolledBack = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String clone = vm + "-c" + round;
            if (killDuring(command("replicate", vm, clone), replicate + 500, null)) {
                killedWhileRunning++;
            }
            assertThat(TestBed.domState(vm)).as("the source is left as it was").isEqualTo("shut off");
            TestBed.assertSameContent(disk, content);
            Path placed = disk.resolveSibling(clone + ".qcow2");
            if (Files.exists(placed)) {
                TestBed.assertSameContent(placed, content);
            }
            TestBed.Run definition = TestBed.virsh("dumpxml", "--inactive", clone);
            if (definition.status() == 0 && !definition.out().contains("https://mvmm.dev/xmlns/domain/1")) {
                finishedFirst++;
            } else {
                TestBed.Run next = mvmm("replicate", vm, clone);
                assertThat(next.status()).as(next.toString()).isZero();
                if (next.out().contains("removed the unfinished clone")) {
                    rolledBack++;
                }
            }
            String cloneDisk = TestBed.checkedVirsh("domblklist", clone, "--details").lines()
                    .filter(line -> line.contains(" disk ")).map(line -> line.trim().split("\\s+")[3]).findFirst()
                    .orElseThrow();
            TestBed.assertSameContent(Path.of(cloneDisk), content);
            try (Stream<Path> images = Files.list(disk.getParent())) {
                assertThat(images.map(p -> p.getFileName().toString()))
                        .as("no partial copy is left behind").noneMatch(name -> name.endsWith(".mvmm-partial"));
            }
            TestBed.undefine(clone);
            survived++;
        }
        SUMMARY.add(String.format("replicate:       %d faults injected (%d while mvmm ran), %d survived (%d had "
                + "finished, %d unfinished clones removed by the next run)", ROUNDS, killedWhileRunning, survived,
                finishedFirst, rolledBack));
    }
}
