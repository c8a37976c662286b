package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fault injection with a real VM: {@code mvmm} killed with SIGKILL at a random (seeded) moment of
 * a backup, an in-place restore and a replicate, sometimes with the tool it was running killed too.
 * After each fault the next run must succeed and say so, the VM must be in the state it was in
 * before (running stays running), and every chain must still restore bit-identical to a state
 * the disk really had. Rounds, seed and the tally: {@link FaultRounds}; the other fault kinds are in
 * {@link FaultStepsIT} and {@link LibvirtdRestartIT}.
 */
class FaultCampaignIT extends FaultRounds {

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
