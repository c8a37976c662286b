package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fault campaign's other steps, each at a random (seeded) moment: {@code mvmm} killed in a
 * reboot sequence of {@code check} and in the archive and retention step of {@code backup --full},
 * and ssh (not rsync) killed during an off-site sync to a real sshd on 127.0.0.1. Counted in the
 * campaign's tally ({@link FaultRounds}).
 */
class FaultStepsIT extends FaultRounds {

    /** How long a guest that ignores ACPI is given to shut down before the hard stop. */
    /** Empty files in each archive, so that deleting one takes as long as deleting a large chain. */
    private static final int PADDING_FILES = 8_000;

    @Override
    String prefix() {
        return "hf-steps-";
    }


    private JsonNode stats(Path state) throws IOException {
        TestBed.Run stats = TestBed.run(command(state, "stats", "--json", vm), 60);
        assertThat(stats.status()).as(stats.toString()).isZero();
        return new ObjectMapper().readTree(stats.out()).get("vms").get(0);
    }

    private static int count(JsonNode vmStats, String action) {
        JsonNode actions = vmStats.get("actions");
        return actions == null || actions.get(action) == null ? 0 : actions.get(action).asInt();
    }

    @Test
    void mvmm_killed_at_random_moments_of_a_reboot_leaves_the_vm_running_rebooted_once_and_counted_once()
            throws Exception {
        startVmRebootedAtEveryCheck();
        long reboot = timed(() -> assertThat(TestBed.run(command(dir.resolve("state-probe"), "check", vm), 120)
                .out()).contains("rebooted"));
        int survived = 0;
        int leftOff = 0;
        int finishedByNext = 0;
        for (int round = 0; round < FEWER_ROUNDS; round++) {
            Path state = dir.resolve("state-" + round);
            long starts = qemuStarts();
            killDuring(command(state, "check", vm), reboot + 500, null);
            if (TestBed.domState(vm).equals("shut off")) {
                leftOff++;
            }

            TestBed.Run next = TestBed.run(command(state, "check", vm), 120);

            assertThat(TestBed.domState(vm)).as(next.toString()).isEqualTo("running");
            assertThat(qemuStarts() - starts).as("one reboot in all: " + next).isEqualTo(1);
            String id = TestBed.domId(vm);
            TestBed.Run after = TestBed.run(command(state, "check", vm), 120);
            assertThat(TestBed.domId(vm)).as("no second reboot: " + after).isEqualTo(id);
            JsonNode told = stats(state);
            boolean started = next.out().contains(" started ");
            if (started) {
                finishedByNext++;
                assertThat(next.out()).contains("finished the reboot");
            }
            assertThat(count(told, "reboot")).as("one reboot counted: " + told + "\n" + next).isEqualTo(1);
            assertThat(count(told, "start")).as("a start counted only when the next check started it: " + told)
                    .isEqualTo(started ? 1 : 0);
            survived++;
        }
        SUMMARY.add(String.format("reboot (check):  %d faults injected (%d left the VM off), %d survived (%d "
                + "finished by the next check's start)", FEWER_ROUNDS, leftOff, survived, finishedByNext));
    }

    private List<String> archives() throws IOException {
        String pattern = vm.replace("-", "\\-") + "\\.\\d{8}T\\d{6}Z";
        return TestBed.entries(backups).stream().filter(name -> name.matches(pattern)).toList();
    }

    /** Stretches the deletion of each archive to the time a large chain takes (see PADDING_FILES). */
    private void pad(List<String> archives) throws IOException {
        for (String archive : archives) {
            Path padding = backups.resolve(archive).resolve("padding");
            if (!Files.isDirectory(padding)) {
                Files.createDirectories(padding);
                for (int i = 0; i < PADDING_FILES; i++) {
                    Files.createFile(padding.resolve("f" + i));
                }
            }
        }
    }

    private void retention(String line) throws IOException {
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                "wait_time=1s", line));
    }

    @Test
    void mvmm_killed_in_the_archive_and_retention_step_loses_no_kept_chain_and_leaves_no_half_one()
            throws Exception {
        retention("max_chains=2");
        change();
        assertOk(mvmm("backup", vm));
        for (int i = 0; i < 2; i++) {
            change();
            assertOk(mvmm("backup", vm, "--full"));
        }
        pad(archives());
        int survived = 0;
        int inRetention = 0;
        int cutMidDeletion = 0;
        for (int round = 0; round < FEWER_ROUNDS; round++) {
            retention(round % 2 == 0 ? "max_chains=2" : "keep_last=2");
            Path current = change();
            List<String> before = archives();
            boolean step = round % 2 == 0;
            if (step) {
                inRetention++;
                // From the moment the current chain is renamed: the archive, then the deletions.
                killDuring(command("backup", vm, "--full"), () -> !Files.exists(backups.resolve(vm)), 300, null);
            } else {
                killDuring(command("backup", vm, "--full"), 6000, "virtnbdbackup");
            }
            List<String> left = TestBed.entries(backups);
            if (left.stream().anyMatch(name -> name.endsWith(".deleting"))
                    || before.stream().anyMatch(name -> left.contains(name) && !Files.exists(backups.resolve(name)
                    .resolve(vm + ".cpt")))) {
                cutMidDeletion++;
            }

            TestBed.Run next = mvmm("backup", vm);

            assertOk(next);
            List<String> after = archives();
            assertThat(TestBed.entries(backups)).as("nothing but the chain and its archives")
                    .allMatch(name -> name.equals(vm) || after.contains(name));
            List<String> newest = new ArrayList<>(new HashSet<>(before) {
                {
                    addAll(after);
                }
            });
            newest.sort(java.util.Comparator.reverseOrder());
            for (String kept : newest.subList(0, Math.min(2, newest.size()))) {
                if (before.contains(kept)) {
                    assertThat(after).as("a chain retention keeps is not lost: " + next).contains(kept);
                }
            }
            assertChainsRestore(current);
            pad(archives());
            survived++;
        }
        SUMMARY.add(String.format("archive+retention: %d faults injected (%d in the archive/retention step, %d cut "
                + "a deletion), %d survived", FEWER_ROUNDS, inRetention, cutMidDeletion, survived));
    }

    /** The sync-only run after a fault made the remote the local chain again, restorable bit-identical. */
    private void assertCaughtUp(TestBed.Run retry, Path remote, Path current) throws IOException {
        assertOk(retry);
        assertThat(TestBed.entries(remote)).containsExactly(vm);
        assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
        Path restored = dir.resolve("restore-" + UUID.randomUUID());
        TestBed.Run restore = TestBed.run(List.of("virtnbdrestore", "-i", remote.resolve(vm).toString(), "-o",
                restored.toString(), "--noprogress"), 300);
        assertThat(restore.status()).as(restore.toString()).isZero();
        TestBed.assertSameContent(restored.resolve(disk.getFileName()), current);
    }

    private void configure(Path remote, SshServer ssh, String extra) throws IOException {
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                "wait_time=1s", "remote_path=root@127.0.0.1:" + remote, "ssh_opts=" + ssh.sshOpts(), extra));
    }

    @Test
    void ssh_killed_during_an_off_site_sync_fails_only_the_sync_and_the_next_sync_only_run_catches_up()
            throws Exception {
        Path remote = dir.resolve("offsite");
        try (SshServer ssh = new SshServer(dir.resolve("ssh"))) {
            // Slowed down, so that the transfer lasts a few seconds to be cut in.
            configure(remote, ssh, "remote_bwlimit=4000");
            change();
            assertOk(mvmm("backup", vm));
            // Our ssh processes only: the command line begins with ssh and names this test's port.
            String ours = "^ssh .*-p " + ssh.port() + "( |$)";
            int injected = 0;
            int survived = 0;
            int inTransfer = 0;
            int missedWork = 0;
            for (int round = 0; round < FEWER_ROUNDS; round++) {
                // Enough new data that the transfer takes a few seconds at remote_bwlimit.
                TestBed.writePattern(disk, 1 + random.nextInt(254), (8 + random.nextInt(40)) + "M", "8M");
                Path current = change();
                List<String> mirrored = TestBed.files(remote.resolve(vm));
                Process run = new ProcessBuilder(command("backup", vm)).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("sync-" + round + ".log").toFile()).start();
                while (run.isAlive() && TestBed.run(List.of("pgrep", "-f", ours), 10).status() != 0) {
                    Thread.sleep(5);
                }
                Thread.sleep((long) (random.nextDouble() * 2500));
                boolean killed = false;
                while (run.isAlive() && !killed) {
                    boolean rsyncRuns = TestBed.run(List.of("pgrep", "-f", "^rsync .*" + remote), 10).status() == 0;
                    killed = TestBed.run(List.of("pkill", "-9", "-f", ours), 10).status() == 0;
                    if (killed && rsyncRuns) {
                        inTransfer++;
                    }
                }
                assertThat(run.waitFor(300, TimeUnit.SECONDS)).isTrue();
                String out = Files.readString(dir.resolve("sync-" + round + ".log"));
                if (!killed) {
                    continue;
                }
                injected++;

                assertThat(out).containsPattern(vm + " +ok +inc");
                if (run.exitValue() == 0) {
                    // The ssh killed had done its work and was exiting: then the sync is whole.
                    missedWork++;
                    assertThat(out).containsPattern(vm + " +ok +sync");
                    assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
                } else {
                    assertThat(run.exitValue()).as(out).isEqualTo(1);
                    assertThat(out).containsPattern(vm + " +failed +sync +failed: ");
                    assertThat(TestBed.files(remote.resolve(vm))).as("the remote shows a complete chain, old or new")
                            .isIn(mirrored, TestBed.files(backups.resolve(vm)));
                    assertThat(stats(dir.resolve("state")).toString()).contains("\"result\":\"failed\"");
                }

                configure(remote, ssh, "");
                TestBed.Run retry = mvmm("backup", vm, "--sync-only");
                configure(remote, ssh, "remote_bwlimit=4000");

                assertCaughtUp(retry, remote, current);
                survived++;
            }
            SUMMARY.add(String.format("ssh killed (sync): %d faults injected (%d during rsync's transfer, %d of an "
                    + "ssh that had done its work), %d survived", injected, inTransfer, missedWork, survived));
            assertThat(injected).as("a kill reached the sync").isPositive();
        }
    }

    @Test
    void mvmm_killed_during_an_off_site_sync_leaves_a_whole_mirror_and_the_next_sync_only_run_catches_up()
            throws Exception {
        Path remote = dir.resolve("offsite");
        try (SshServer ssh = new SshServer(dir.resolve("ssh"))) {
            configure(remote, ssh, "");
            change();
            assertOk(mvmm("backup", vm));
            String ours = "^rsync .*" + remote;
            int killedWhileRunning = 0;
            int survived = 0;
            for (int round = 0; round < FEWER_ROUNDS; round++) {
                // A new incremental taken with no remote configured, then a slowed sync of it to cut in.
                TestBed.writePattern(disk, 1 + random.nextInt(254), (8 + random.nextInt(40)) + "M", "8M");
                Path current = change();
                Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                        "wait_time=1s"));
                assertOk(mvmm("backup", vm));
                List<String> mirrored = TestBed.files(remote.resolve(vm));
                configure(remote, ssh, "remote_bwlimit=4000");
                if (killDuring(command("backup", vm, "--sync-only"),
                        () -> TestBed.run(List.of("pgrep", "-f", ours), 10).status() == 0, 2500, "rsync")) {
                    killedWhileRunning++;
                }
                // An rsync that outlived mvmm may still be copying into the hidden name: let it end.
                for (int i = 0; i < 600 && TestBed.run(List.of("pgrep", "-f", ours), 10).status() == 0; i++) {
                    Thread.sleep(100);
                }

                assertThat(TestBed.files(remote.resolve(vm))).as("the remote shows a complete chain, old or new")
                        .isIn(mirrored, TestBed.files(backups.resolve(vm)));
                configure(remote, ssh, "");
                TestBed.Run retry = mvmm("backup", vm, "--sync-only");

                assertCaughtUp(retry, remote, current);
                survived++;
            }
            SUMMARY.add(String.format("mvmm killed (sync): %d faults injected (%d while mvmm ran), %d survived",
                    FEWER_ROUNDS, killedWhileRunning, survived));
        }
    }
}
