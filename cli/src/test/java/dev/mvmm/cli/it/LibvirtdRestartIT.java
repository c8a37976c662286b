package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * libvirtd restarted (stopped with SIGTERM, or killed with SIGKILL, then started as
 * {@code scripts/testbed} starts it) at a random (seeded) moment of a backup, while virtnbdbackup
 * runs, and of a check's reboot. QEMU guests outlive libvirtd; the next run must find the VM running,
 * the failed operation reported as failed, the chain restorable and the next backup ok. This restarts
 * the host's libvirtd: never run it beside other users of the same libvirtd.
 */
class LibvirtdRestartIT extends FaultRounds {


    @Override
    String prefix() {
        return "hf-libvirtd-";
    }

    /** The live libvirtd processes (a killed one may linger as a zombie until it is reaped). */
    private static List<Long> libvirtd() {
        return ProcessHandle.allProcesses().filter(process -> process.info().command().orElse("")
                .endsWith("/libvirtd")).filter(ProcessHandle::isAlive).map(ProcessHandle::pid).filter(pid -> {
                    try {
                        String stat = Files.readString(Path.of("/proc", pid.toString(), "stat"));
                        char state = stat.charAt(stat.lastIndexOf(')') + 2);
                        return state != 'Z' && state != 'X';
                    } catch (IOException e) {
                        return false;
                    }
                }).toList();
    }

    /** Stops libvirtd with the signal, starts it again the way scripts/testbed does, waits for it to answer. */
    private static void restartLibvirtd(String signal) throws Exception {
        List<Long> pids = libvirtd();
        assertThat(pids).as("a libvirtd runs").isNotEmpty();
        for (long pid : pids) {
            TestBed.run(List.of("kill", "-" + signal, Long.toString(pid)), 10);
        }
        for (int i = 0; i < 600 && !libvirtd().isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertThat(libvirtd()).as("libvirtd stopped").isEmpty();
        Path script = Path.of(System.getProperty("user.dir")).getParent().resolve("scripts/testbed");
        TestBed.Run started = TestBed.run(List.of(script.toString()), 180);
        assertThat(started.status()).as(started.toString()).isZero();
        for (int i = 0; i < 60 && TestBed.virsh("version").status() != 0; i++) {
            Thread.sleep(500);
        }
        assertThat(TestBed.virsh("version").status()).as("libvirtd answers again").isZero();
    }

    /**
     * Starts the command, restarts libvirtd once {@code begun} holds plus a random time up to
     * {@code maxMillis}, waits for the command to end; returns what it printed and its exit status.
     */
    private TestBed.Run restartDuring(List<String> command, String begun, long maxMillis, String signal)
            throws Exception {
        Path log = dir.resolve("restart-" + System.nanoTime() + ".log");
        Process run = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        while (run.isAlive() && begun != null && TestBed.run(List.of("pgrep", "-f", begun), 10).status() != 0) {
            Thread.sleep(5);
        }
        Thread.sleep((long) (random.nextDouble() * maxMillis));
        restartLibvirtd(signal);
        assertThat(run.waitFor(600, TimeUnit.SECONDS)).isTrue();
        return new TestBed.Run(run.exitValue(), Files.readString(log), "");
    }

    private String signal() {
        return random.nextBoolean() ? "TERM" : "KILL";
    }

    @Test
    void libvirtd_restarted_while_virtnbdbackup_runs_fails_only_that_backup_and_the_next_one_is_ok()
            throws Exception {
        Path current = change();
        assertOk(mvmm("backup", vm));
        TestBed.checkedVirsh("start", vm);
        String id = TestBed.domId(vm);
        int survived = 0;
        int failed = 0;
        List<String> signals = new ArrayList<>();
        for (int round = 0; round < FEWER_ROUNDS; round++) {
            String signal = signal();
            signals.add(signal);
            TestBed.Run cut = restartDuring(command("backup", vm), "virtnbdbackup.*" + vm, 1500, signal);

            assertThat(TestBed.domState(vm)).as("the guest outlives libvirtd").isEqualTo("running");
            assertThat(TestBed.domId(vm)).as("the same run of it").isEqualTo(id);
            if (cut.status() != 0) {
                failed++;
                assertThat(cut.out()).as(cut.toString()).containsPattern(vm + " +failed ");
                assertThat(TestBed.run(command("stats", "--json", vm), 60).out()).contains("\"result\" : \"failed\"");
            } else {
                assertThat(cut.out()).as(cut.toString()).containsPattern(vm + " +ok +(inc|full) ");
            }
            TestBed.Run next = mvmm("backup", vm);

            assertThat(next.status()).as(next.toString()).isZero();
            assertThat(next.out()).containsPattern(vm + " +ok +(inc|full) ");
            assertThat(TestBed.domState(vm)).isEqualTo("running");
            // The guest idles in firmware and writes nothing: the running disk is still the last state written.
            assertChainsRestore(current);
            survived++;
        }
        SUMMARY.add(String.format("libvirtd restart (backup): %d faults injected (%s; %d failed the backup), %d "
                + "survived", FEWER_ROUNDS, String.join(",", signals), failed, survived));
    }


    @Test
    void libvirtd_restarted_during_a_reboot_leaves_the_vm_running_after_the_next_check_rebooted_once()
            throws Exception {
        startVmRebootedAtEveryCheck();
        int survived = 0;
        int failed = 0;
        List<String> signals = new ArrayList<>();
        for (int round = 0; round < FEWER_ROUNDS; round++) {
            Path state = dir.resolve("state-" + round);
            long starts = qemuStarts();
            String signal = signal();
            signals.add(signal);
            // Counted from mvmm's start: the reboot begins about a second later and lasts wait_interval and more.
            TestBed.Run cut = restartDuring(command(state, "check", vm), null, 1000L * (WAIT_INTERVAL_SECONDS + 3),
                    signal);
            if (!cut.out().contains("rebooted")) {
                failed++;
            }

            TestBed.Run next = TestBed.run(command(state, "check", vm), 120);

            assertThat(TestBed.domState(vm)).as(cut + "\n" + next).isEqualTo("running");
            String id = TestBed.domId(vm);
            TestBed.Run after = TestBed.run(command(state, "check", vm), 120);
            assertThat(TestBed.domId(vm)).as("no second reboot: " + after).isEqualTo(id);
            assertThat(qemuStarts() - starts).as("one reboot in all:\n" + cut + "\n" + next).isEqualTo(1);
            // One reboot, and the attempt the restart made fail when the cut run said it failed.
            String stats = TestBed.run(command(state, "stats", "--json", vm), 60).out();
            int attempts = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats).get("vms").get(0)
                    .get("actions").get("reboot").asInt();
            // A run that began a reboot logs "reboot now" first, however it then ended (rebooted,
            // reboot-failed, or action-failed when libvirt's connection broke under it): that is one
            // attempt. A run that failed before it began one (its first lookup hit the restart), or a
            // next check that only finishes the cut one ("resuming the reboot", "finished the reboot"),
            // adds none.
            int said = (cut.toString().contains("reboot now") ? 1 : 0)
                    + (next.toString().contains("reboot now") ? 1 : 0);
            assertThat(attempts).as("as many reboots counted as the runs said they took:\n" + cut + "\n" + next
                    + "\n" + stats).isEqualTo(said);
            survived++;
        }
        SUMMARY.add(String.format("libvirtd restart (reboot): %d faults injected (%s; %d cut the reboot), %d "
                + "survived", FEWER_ROUNDS, String.join(",", signals), failed, survived));
    }
}
