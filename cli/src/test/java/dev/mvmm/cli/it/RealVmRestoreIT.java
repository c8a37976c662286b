package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvmm restore --in-place}, {@code --define} and the interactive mode on real QEMU VMs with
 * real backups. Data is written with qemu-io patterns while the VM is shut off, so the content of
 * each checkpoint is known; restored disks are compared with {@code qemu-img compare}.
 */
class RealVmRestoreIT {

    @TempDir
    Path dir;

    private String vm;
    private Path diskA;
    private Path diskB;
    private Path backups;
    private final List<String> extraVms = new ArrayList<>();

    @BeforeAll
    static void bed() {
        TestBed.require();
    }

    @BeforeEach
    void setUp() throws IOException {
        vm = "mvmm-rs-" + UUID.randomUUID().toString().substring(0, 8);
        diskA = Path.of("/var/lib/libvirt/images", vm + "-a.qcow2");
        diskB = Path.of("/var/lib/libvirt/images", vm + "-b.qcow2");
        TestBed.defineVm(vm, List.of(diskA, diskB), List.of("52:54:00:5e:00:01", "52:54:00:5e:00:02"));
        backups = dir.resolve("backups");
        Files.createDirectories(dir.resolve("conf"));
        Path events = dir.resolve("events");
        Path script = dir.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$MVMM_EVENT $MVMM_VM $MVMM_SEVERITY $MVMM_MESSAGE\" >> "
                + events + "\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                "wait_time=3", "notify_command=" + script));
    }

    @AfterEach
    void tearDown() throws IOException {
        TestBed.run(List.of("tmux", "kill-session", "-t", vm), 10);
        for (String extra : extraVms) {
            TestBed.undefine(extra);
        }
        TestBed.undefine(vm);
        try (Stream<Path> images = Files.list(Path.of("/var/lib/libvirt/images"))) {
            for (Path image : images.filter(p -> p.getFileName().toString().startsWith(vm)).toList()) {
                TestBed.run(List.of("rm", "-rf", image.toString()), 30);
            }
        }
    }

    private TestBed.Run mvmm(Map<String, String> environment, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--config-dir=" + dir.resolve("conf"));
        all.add(2, "--state=" + dir.resolve("state/mvmm.db"));
        return TestBed.run(TestBed.mvmm(all.toArray(String[]::new)), 600, environment);
    }

    private TestBed.Run mvmm(String... args) {
        return mvmm(Map.of(), args);
    }


    private Path snapshot(Path disk, String name) {
        Path copy = dir.resolve(name + ".qcow2");
        TestBed.Run run = TestBed.run(List.of("qemu-img", "convert", "-U", "-O", "qcow2", disk.toString(),
                copy.toString()), 120);
        assertThat(run.status()).as(run.toString()).isZero();
        return copy;
    }


    private void backupOk(String level) {
        TestBed.Run run = mvmm("backup", vm);
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern(vm + " +ok +" + level + " ");
    }

    /** Two checkpoints with known content: 0 = A on both disks, 1 = A plus B (B only on vda). */
    private Path[] twoCheckpoints() {
        TestBed.writePattern(diskA, 0xa1, "0", "4M");
        TestBed.writePattern(diskB, 0xa2, "1M", "2M");
        Path aAt0 = snapshot(diskA, "a0");
        Path bAt0 = snapshot(diskB, "b0");
        backupOk("full");
        TestBed.writePattern(diskA, 0xb1, "8M", "4M");
        TestBed.writePattern(diskB, 0xb2, "0", "1M");
        backupOk("inc");
        return new Path[] {aAt0, bAt0};
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> entries = Files.list(backups)) {
            return entries.filter(p -> p.getFileName().toString().matches(vm.replace("-", "\\-")
                    + "\\.\\d{8}T\\d{6}Z")).toList();
        }
    }

    @Test
    void in_place_restore_of_a_running_vm_brings_it_back_on_the_restored_data_and_a_clean_chain_follows()
            throws Exception {
        Path[] at0 = twoCheckpoints();
        Path aNow = snapshot(diskA, "a-now");
        TestBed.checkedVirsh("start", vm);
        String id = TestBed.domId(vm);

        TestBed.Run unconfirmed = mvmm("restore", vm, "--in-place", "--checkpoint", "0");
        assertThat(unconfirmed.status()).as("refused without --yes off a terminal").isEqualTo(64);
        assertThat(unconfirmed.err()).contains("add --yes");
        assertThat(TestBed.domId(vm)).isEqualTo(id);

        TestBed.Run restore = mvmm("restore", vm, "--in-place", "--checkpoint", "0", "--yes");

        assertThat(restore.status()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("the VM runs again").contains("old image kept as");
        assertThat(TestBed.domState(vm)).isEqualTo("running");
        assertThat(TestBed.domId(vm)).as("it was stopped and started").isNotEqualTo(id);
        TestBed.assertSameContent(diskA, at0[0]);
        TestBed.assertSameContent(diskB, at0[1]);
        Path kept;
        try (Stream<Path> files = Files.list(diskA.getParent())) {
            kept = files.filter(p -> p.getFileName().toString().startsWith(diskA.getFileName() + ".pre-restore."))
                    .findFirst().orElseThrow();
        }
        TestBed.assertSameContent(kept, aNow);
        assertThat(TestBed.checkedVirsh("checkpoint-list", vm, "--name")).as("checkpoints cleared").isEmpty();
        assertThat(archives()).as("the old chain is archived").hasSize(1);
        assertThat(Files.readString(dir.resolve("events"))).contains("restore " + vm + " info");

        backupOk("full");
        TestBed.Run stats = mvmm("stats", vm, "--json");
        assertThat(stats.out()).containsPattern("\"last_restore\" *: *\\{[^}]*\"result\" *: *\"ok\"");
    }

    @Test
    void a_killed_virtnbdrestore_fails_the_restore_and_leaves_the_running_vm_and_its_disks_untouched()
            throws Exception {
        twoCheckpoints();
        TestBed.checkedVirsh("start", vm);
        String id = TestBed.domId(vm);
        Path before = snapshot(diskA, "before");
        String path = TestBed.pathWithStandIn(dir, "virtnbdrestore",
                "/usr/bin/virtnbdrestore \"$@\" & pid=$!\nsleep 0.3\nkill -9 $pid\nwait $pid");

        TestBed.Run restore = mvmm(Map.of("PATH", path), "restore", vm, "--in-place", "--yes");

        assertThat(restore.status()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.err()).contains("virtnbdrestore");
        assertThat(TestBed.domId(vm)).as("never stopped").isEqualTo(id);
        TestBed.assertSameContent(diskA, before);
        try (Stream<Path> files = Files.list(diskA.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(vm) && !n.equals(
                    diskA.getFileName().toString()) && !n.equals(diskB.getFileName().toString())))
                    .as("nothing left behind").isEmpty();
        }
        assertThat(Files.readString(dir.resolve("events"))).contains("restore-failure " + vm + " critical");
    }

    @Test
    void a_failure_after_the_disks_were_swapped_puts_the_old_disks_back_and_restarts_the_vm() throws Exception {
        twoCheckpoints();
        Path aBefore = snapshot(diskA, "a-before");
        Path bBefore = snapshot(diskB, "b-before");
        TestBed.checkedVirsh("start", vm);
        String path = TestBed.pathWithStandIn(dir, "virsh", "case \"$*\" in *checkpoint-delete*) "
                + "echo 'error: injected failure' >&2; exit 1;; esac\nexec /usr/bin/virsh \"$@\"");

        TestBed.Run restore = mvmm(Map.of("PATH", path), "restore", vm, "--in-place", "--checkpoint", "0", "--yes");

        assertThat(restore.status()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.err()).contains("injected failure").contains("the original disks are back in place")
                .contains("the VM runs again");
        assertThat(TestBed.domState(vm)).isEqualTo("running");
        TestBed.assertSameContent(diskA, aBefore);
        TestBed.assertSameContent(diskB, bBefore);
        assertThat(archives()).as("the chain still describes the disks").isEmpty();
    }

    @Test
    void one_disk_in_place_and_a_whole_restore_as_a_new_vm_with_new_identity() throws Exception {
        Path[] at0 = twoCheckpoints();
        Path aNow = snapshot(diskA, "a-now");

        TestBed.Run one = mvmm("restore", vm, "--in-place", "--disk", "vdb", "--checkpoint", "0", "--yes",
                "--discard-old");

        assertThat(one.status()).as(one.toString()).isZero();
        assertThat(one.out()).contains("old image discarded").contains("the VM stays shut off");
        TestBed.assertSameContent(diskB, at0[1]);
        TestBed.assertSameContent(diskA, aNow);
        assertThat(TestBed.domState(vm)).isEqualTo("shut off");

        String clone = vm + "-copy";
        extraVms.add(clone);
        TestBed.Run defined = mvmm("restore", vm, "--chain", archives().get(0).getFileName().toString(),
                "--checkpoint", "0", "--define", clone);

        assertThat(defined.status()).as(defined.toString()).isZero();
        String xml = TestBed.checkedVirsh("dumpxml", clone);
        String original = TestBed.checkedVirsh("dumpxml", vm);
        assertThat(TestBed.checkedVirsh("domuuid", clone)).isNotEqualTo(TestBed.checkedVirsh("domuuid", vm));
        assertThat(xml).doesNotContain("52:54:00:5e:00:01").doesNotContain("52:54:00:5e:00:02");
        assertThat(xml.split("<mac address=", -1)).hasSize(3);
        assertThat(xml).doesNotContain(diskA.toString()).doesNotContain(diskB.toString());
        assertThat(original).contains("52:54:00:5e:00:01");
        Path cloneDir = diskA.getParent().resolve(clone);
        TestBed.assertSameContent(cloneDir.resolve(diskA.getFileName()), at0[0]);
        TestBed.assertSameContent(cloneDir.resolve(diskB.getFileName()), at0[1]);
        TestBed.checkedVirsh("start", clone);
        assertThat(TestBed.domState(clone)).isEqualTo("running");

        TestBed.Run taken = mvmm("restore", vm, "--define", clone);
        assertThat(taken.status()).isEqualTo(1);
        assertThat(taken.err()).contains("exists already");
    }

    @Test
    void interactive_restore_asks_its_questions_on_a_terminal() throws Exception {
        Path[] at0 = twoCheckpoints();
        Path target = dir.resolve("asked");
        String command = String.join(" ", TestBed.mvmm("restore", "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state/mvmm.db"))) + "; echo EXIT=$?; sleep 60";
        TestBed.Run session = TestBed.run(List.of("tmux", "new-session", "-d", "-s", vm, "-x", "200", "-y", "50",
                command), 30);
        assertThat(session.status()).as(session.toString()).isZero();

        answer("Which VM?", "1");
        answer("Which chain?", "1");
        String checkpoints = answer("Restore up to which checkpoint?", "1");
        assertThat(checkpoints).contains("virtnbdbackup.0  taken").contains("virtnbdbackup.1  taken");
        answer("Which disks?", "");
        answer("Restore where?", "1");
        answer("Directory", target.toString());
        String summary = answer("Go ahead?", "y");
        assertThat(summary).contains("up to virtnbdbackup.0").contains("into " + target);
        String end = waitFor("EXIT=");

        assertThat(end).contains("EXIT=0").contains("restored " + vm);
        TestBed.assertSameContent(target.resolve(diskA.getFileName()), at0[0]);
        TestBed.assertSameContent(target.resolve(diskB.getFileName()), at0[1]);
    }

    /** Waits for a question on the tmux pane, types the answer and Enter; returns the screen it saw. */
    private String answer(String question, String text) throws InterruptedException {
        String screen = waitFor(question);
        if (!text.isEmpty()) {
            TestBed.run(List.of("tmux", "send-keys", "-t", vm, "-l", text), 10);
        }
        TestBed.run(List.of("tmux", "send-keys", "-t", vm, "Enter"), 10);
        Thread.sleep(300);
        return screen;
    }

    private String waitFor(String text) throws InterruptedException {
        String screen = "";
        for (int i = 0; i < 600; i++) {
            screen = TestBed.run(List.of("tmux", "capture-pane", "-p", "-t", vm, "-S", "-200"), 10).out();
            if (screen.contains(text)) {
                return screen;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' on the terminal; it shows:\n" + screen);
    }
}
