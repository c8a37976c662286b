package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code check}, {@code monitor}, {@code backup}, {@code restore}, {@code patch} and {@code replicate}
 * of one real VM, two at a time: every one of the 15 pairs (each command the holder in some and the
 * loser in others) and each command against itself. The holder is made to keep the VM's lock at a
 * known step (a gated stand-in tool, or a reboot of a guest that ignores ACPI for wait_interval), the
 * other is started then. Checked: the loser exits 75 naming the holder ({@code check} reports the VM
 * busy, {@code monitor} logs it and acts on nothing); the holder finishes as if alone; no second
 * reboot, no backup or restore of a VM that another operation holds, the VM running afterwards and no
 * power marker left. One VM serves all pairs; each pair has its own state directory (so recovery
 * time and the loop guard of one pair do not bear on the next). Results go to
 * {@code target/concurrency-matrix.txt}.
 */
class ConcurrencyMatrixIT {

    private static final List<String> COMMANDS = List.of("check", "monitor", "backup", "restore", "patch",
            "replicate");
    /** How long a check's reboot holds the lock: the guest ignores ACPI, so wait_interval, then a hard stop. */
    private static final int REBOOT_HOLD_SECONDS = 6;
    private static final List<String> RESULTS = new ArrayList<>();

    private static Path dir;
    private static String vm;
    private static Path disk;
    private static int failingPort;
    private static int pair;

    @BeforeAll
    static void oneVm() throws Exception {
        TestBed.require();
        dir = Files.createTempDirectory("h11-matrix");
        vm = "h11-matrix-" + ProcessHandle.current().pid();
        disk = Path.of("/var/lib/libvirt/images", vm + ".qcow2");
        TestBed.defineTinyVm(vm, disk);
        try (ServerSocket socket = new ServerSocket(0)) {
            failingPort = socket.getLocalPort();
        }
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + dir.resolve("backups"),
                "wait_time=1s", "max_chains=100"));
        // Its service never answers: check and monitor want to reboot it at once, every time.
        Files.write(dir.resolve("conf/" + vm + ".conf"), List.of("ip=127.0.0.1", "portsall=" + failingPort,
                "fail_threshold=0s", "connect_timeout=300ms", "wait_interval=" + REBOOT_HOLD_SECONDS + "s",
                "recovery_time=1h", "max_reboots=100", "check_interval=1s", "fail_interval=1s"));
        TestBed.Run backup = TestBed.run(command(dir.resolve("setup"), "backup", vm), 300);
        assertThat(backup.status()).as(backup.toString()).isZero();
        TestBed.checkedVirsh("start", vm);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (vm == null) {
            return;
        }
        TestBed.undefine(vm);
        try (Stream<Path> images = Files.list(disk.getParent())) {
            for (Path image : images.filter(p -> p.getFileName().toString().startsWith(vm)).toList()) {
                TestBed.run(List.of("rm", "-rf", image.toString()), 30);
            }
        }
        String text = "concurrency matrix: " + RESULTS.size() + " pairs\n" + String.join("\n", RESULTS) + "\n";
        System.out.print(text);
        Files.writeString(Path.of("target", "concurrency-matrix.txt"), text);
        TestBed.run(List.of("rm", "-rf", dir.toString()), 60);
    }

    /** The 15 pairs, the holder alternating, then each command against itself. */
    static Stream<org.junit.jupiter.params.provider.Arguments> pairs() {
        List<org.junit.jupiter.params.provider.Arguments> pairs = new ArrayList<>();
        for (int i = 0; i < COMMANDS.size(); i++) {
            for (int j = i + 1; j < COMMANDS.size(); j++) {
                boolean first = (i + j) % 2 == 1;
                pairs.add(org.junit.jupiter.params.provider.Arguments.of(COMMANDS.get(first ? i : j),
                        COMMANDS.get(first ? j : i)));
            }
        }
        COMMANDS.forEach(command -> pairs.add(org.junit.jupiter.params.provider.Arguments.of(command, command)));
        return pairs.stream();
    }

    private static List<String> command(Path state, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--config-dir=" + dir.resolve("conf"));
        all.add(2, "--state=" + state.resolve("mvmm.db"));
        return TestBed.mvmm(all.toArray(String[]::new));
    }

    /** The arguments of each command; {@code n} keeps clones and restore directories apart. */
    private static String[] arguments(String command, String n) {
        switch (command) {
            case "check": return new String[] {"check", vm};
            case "monitor": return new String[] {"monitor"};
            case "backup": return new String[] {"backup", vm};
            case "restore": return new String[] {"restore", vm, "--to", dir.resolve("restored-" + n).toString()};
            case "patch": return new String[] {"patch", vm};
            default: return new String[] {"replicate", vm, vm + "-" + n, "--shutdown-source"};
        }
    }

    /** Where a holder is made to wait with the lock held: a gated tool, or none (a reboot holds it). */
    private static String[] gate(String command) {
        switch (command) {
            case "backup": return new String[] {"virtnbdbackup", ""};
            case "restore": return new String[] {"virtnbdrestore", ""};
            case "patch": return new String[] {"qemu-img", "info"};
            case "replicate": return new String[] {"qemu-img", "convert"};
            default: return null;
        }
    }

    @ParameterizedTest(name = "{0} holds the VM, {1} starts")
    @MethodSource("pairs")
    void the_second_command_finds_the_vm_locked_and_the_first_finishes_as_if_alone(String holder, String loser)
            throws Exception {
        String n = Integer.toString(++pair);
        Path state = Files.createDirectories(dir.resolve("state-" + n));
        Path lockFile = state.resolve("locks/" + vm + ".lock");
        List<String> chainBefore = chainFiles();
        long startedAt = System.nanoTime();

        Gate gate = gate(holder) == null ? null : new Gate(dir, n);
        ProcessBuilder first = new ProcessBuilder(command(state, arguments(holder, n + "a")))
                .redirectOutput(state.resolve("holder.out").toFile()).redirectError(state.resolve("holder.err")
                        .toFile());
        if (gate != null) {
            first.environment().putAll(gate.holding(gate(holder)[0], gate(holder)[1]));
        }
        Process held = first.start();
        if (gate != null) {
            gate.awaitHeld(120_000);
        } else {
            awaitLockedBy(lockFile, held.pid());
        }

        String loserOutcome = runLoser(loser, state, n, holder.equals("monitor") ? "check" // the monitor acts as check
                : holder.equals("replicate") ? "replicate to " + vm + "-" + n + "a" : holder);

        if (gate != null) {
            gate.open();
        }
        String holderOutcome = finishHolder(holder, held, state);
        assertThat(TestBed.domState(vm)).as("the VM runs after the pair").isEqualTo("running");
        assertThat(state.resolve("power/" + vm + ".json")).as("no power marker left").doesNotExist();
        if (!holder.equals("backup")) {
            assertThat(chainFiles()).as("no backup by the loser").isEqualTo(chainBefore);
        }
        TestBed.undefine(vm + "-" + n + "a");
        TestBed.undefine(vm + "-" + n + "b");
        RESULTS.add(String.format("%-9s holds, %-9s starts: %s; holder %s (%.1fs)", holder, loser, loserOutcome,
                holderOutcome, (System.nanoTime() - startedAt) / 1e9));
    }

    private static List<String> chainFiles() throws IOException {
        Path chain = dir.resolve("backups/" + vm);
        try (Stream<Path> files = Files.list(chain)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Until the lock file names {@code pid}: the check or monitor has begun its reboot. */
    private static void awaitLockedBy(Path lockFile, long pid) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(lockFile) || !Files.readString(lockFile).contains(" " + pid + " ")) {
            assertThat(System.currentTimeMillis()).as("the holder never took the lock").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static String runLoser(String loser, Path state, String n, String holder) throws Exception {
        if (loser.equals("monitor")) {
            Process monitor = new ProcessBuilder(command(state, arguments("monitor", n + "b")))
                    .redirectErrorStream(true).redirectOutput(state.resolve("loser.log").toFile()).start();
            long deadline = System.currentTimeMillis() + 30_000;
            while (!Files.readString(state.resolve("loser.log")).contains("busy: locked by " + holder + " (pid")) {
                assertThat(System.currentTimeMillis()).as("the monitor never saw the VM busy").isLessThan(deadline);
                Thread.sleep(50);
            }
            monitor.destroy();
            assertThat(monitor.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(state.resolve("loser.log"));
            assertThat(log).as(log).doesNotContain("reboot now").doesNotContain("rebooted")
                    .doesNotContain("starting it");
            return "skips it (logs 'busy: locked by " + holder.replace(vm, "VM") + " (pid ...)'), acts on nothing";
        }
        TestBed.Run run = TestBed.run(command(state, arguments(loser, n + "b")), 60);
        assertThat(run.status()).as(run.toString()).isEqualTo(75);
        String said = run.out() + run.err();
        assertThat(said).as(run.toString()).contains("busy: locked by " + holder + " (pid ");
        assertThat(said).doesNotContain("rebooted").doesNotContain("replicated").doesNotContain("restored");
        return "exit 75, 'busy: locked by " + holder.replace(vm, "VM") + " (pid ...)'";
    }

    private static String finishHolder(String holder, Process held, Path state) throws Exception {
        if (holder.equals("monitor")) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!Files.readString(state.resolve("holder.err")).contains("rebooted")) {
                assertThat(System.currentTimeMillis()).as("the monitor's reboot never finished").isLessThan(deadline);
                Thread.sleep(100);
            }
            held.destroy();
        }
        assertThat(held.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(state.resolve("holder.out"));
        String err = Files.readString(state.resolve("holder.err"));
        String both = "exit " + held.exitValue() + "\n" + out + err;
        switch (holder) {
            case "check":
                assertThat(held.exitValue()).as(both).isEqualTo(1);
                assertThat(out).as(both).containsPattern(vm + " +running +rebooted");
                break;
            case "monitor":
                assertThat(err.split("reboot now", -1)).as("one reboot: " + both).hasSize(2);
                break;
            default:
                assertThat(held.exitValue()).as(both).isZero();
        }
        return holder.equals("check") || holder.equals("monitor") ? "rebooted once" : "exit 0";
    }
}
