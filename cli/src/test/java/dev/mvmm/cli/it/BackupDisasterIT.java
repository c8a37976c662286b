package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disaster rows of the backup chain check on real QEMU VMs: a disk image moved, bitmaps left
 * inconsistent by a killed QEMU, backup_path filling up while virtnbdbackup writes. Each time the old
 * chain stays restorable bit-identical and the next run recovers; nothing is reported as success that
 * is not.
 */
class BackupDisasterIT {

    @TempDir
    Path dir;

    private String vm;
    private Path disk;
    private Path backups;
    private Path events;
    private final List<Path> extraFiles = new ArrayList<>();

    @BeforeAll
    static void bed() {
        TestBed.require();
    }

    @BeforeEach
    void setUp() throws IOException {
        vm = "h5-" + UUID.randomUUID().toString().substring(0, 8);
        disk = Path.of("/var/lib/libvirt/images", vm + ".qcow2");
        TestBed.defineTinyVm(vm, disk);
        backups = dir.resolve("backups");
        events = dir.resolve("events");
        Path script = dir.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$MVMM_EVENT|$MVMM_SEVERITY|$MVMM_MESSAGE\" >> " + events + "\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        Files.createDirectories(dir.resolve("conf"));
        configure(backups);
    }

    private void configure(Path backupPath) throws IOException {
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backupPath,
                "notify_command=" + dir.resolve("notify.sh")));
    }

    @AfterEach
    void tearDown() throws IOException {
        TestBed.removeVm(vm, disk);
        for (Path file : extraFiles) {
            Files.deleteIfExists(file);
        }
    }

    private TestBed.Run mvmm(java.util.Map<String, String> environment, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--config-dir=" + dir.resolve("conf"));
        all.add(2, "--state=" + dir.resolve("state/mvmm.db"));
        return TestBed.run(TestBed.mvmm(all.toArray(String[]::new)), 600, environment);
    }

    private TestBed.Run backup(String... extra) {
        List<String> args = new ArrayList<>(List.of("backup", vm));
        args.addAll(List.of(extra));
        return mvmm(java.util.Map.of(), args.toArray(String[]::new));
    }

    private void write(Path image, int pattern, String offset, String length) {
        TestBed.writePattern(image, pattern, offset, length);
    }

    /** A copy of an image as it is now. */
    private Path snapshot(Path image, String name) {
        Path copy = dir.resolve(name + ".qcow2");
        TestBed.Run run = TestBed.run(List.of("qemu-img", "convert", "-U", "-O", "qcow2", image.toString(),
                copy.toString()), 120);
        assertThat(run.status()).as(run.toString()).isZero();
        return copy;
    }

    /** Restores a chain (virtnbdrestore, outside backup_path) and compares its one image with an expected one. */
    private void assertRestores(Path chain, Path expected) throws IOException {
        Path out = dir.resolve("restore-" + UUID.randomUUID());
        TestBed.Run restore = TestBed.run(List.of("virtnbdrestore", "-i", chain.toString(), "-o", out.toString(),
                "--noprogress"), 300);
        assertThat(restore.status()).as(restore.toString()).isZero();
        try (Stream<Path> files = Files.list(out)) {
            Path image = files.filter(file -> !file.getFileName().toString().endsWith(".xml")).findFirst()
                    .orElseThrow(() -> new AssertionError("virtnbdrestore wrote no image into " + out));
            TestBed.assertSameContent(image, expected);
        }
    }

    private void assertOk(TestBed.Run run, String level) {
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern(vm + " +ok +" + level + " ");
    }

    private List<Path> archives(Path backupPath) throws IOException {
        try (Stream<Path> entries = Files.list(backupPath)) {
            return entries.filter(p -> p.getFileName().toString().matches(vm.replace("-", "\\-")
                    + "\\.\\d{8}T\\d{6}Z")).sorted().toList();
        }
    }

    private List<String> events() throws IOException {
        return Files.exists(events) ? Files.readAllLines(events) : List.of();
    }

    /** Moves the VM's image (shut off) and points the definition at the new path, keeping its UUID. */
    private Path move(Path from, String name) throws IOException {
        Path to = Path.of("/var/lib/libvirt/images", vm + "-" + name + ".qcow2");
        extraFiles.add(to);
        Files.move(from, to);
        String xml = TestBed.checkedVirsh("dumpxml", "--inactive", vm).replace(from.toString(), to.toString());
        Path file = dir.resolve(name + ".xml");
        Files.writeString(file, xml);
        TestBed.checkedVirsh("define", file.toString());
        return to;
    }

    @Test
    void a_moved_disk_archives_the_chain_restorable_and_starts_a_new_full_one_running_or_shut_off() throws Exception {
        write(disk, 0xab, "0", "4M");
        Path atFirst = snapshot(disk, "first");
        assertOk(backup(), "full");
        write(disk, 0xcd, "8M", "2M");
        Path atInc = snapshot(disk, "inc");
        assertOk(backup(), "inc");

        Path moved = move(disk, "moved");
        TestBed.checkedVirsh("start", vm);
        TestBed.Run running = backup();

        assertOk(running, "full");
        assertThat(running.out()).contains("disk vda is another image file now (" + disk + " then, " + moved
                + " now): moved or redefined");
        assertThat(archives(backups)).hasSize(1);
        assertRestores(archives(backups).get(0), atInc);
        assertRestores(backups.resolve(vm), atInc);
        assertThat(events()).singleElement().asString().startsWith("chain-archived|warning|" + vm
                + ": chain archived as " + archives(backups).get(0).getFileName() + " because disk vda is another");

        TestBed.checkedVirsh("destroy", vm);
        write(moved, 0x11, "20M", "1M");
        Path atSecondMove = snapshot(moved, "second");
        Path again = move(moved, "again");
        TestBed.Run shutOff = backup();

        assertOk(shutOff, "full");
        assertThat(shutOff.out()).contains("(" + moved + " then, " + again + " now)");
        assertThat(archives(backups)).hasSize(2);
        assertRestores(archives(backups).get(0), atInc);
        assertRestores(archives(backups).get(1), atInc);
        assertRestores(backups.resolve(vm), atSecondMove);
        assertThat(TestBed.domState(vm)).isEqualTo("shut off");
        assertOk(backup(), "inc");
    }

    /** Kills the VM's QEMU with SIGKILL: its bitmaps stay flagged in-use in the image, their content lost. */
    private void killQemu() throws Exception {
        String pid = Files.readString(Path.of("/run/libvirt/qemu/" + vm + ".pid")).strip();
        assertThat(TestBed.run(List.of("kill", "-9", pid), 10).status()).isZero();
        for (int i = 0; i < 100 && !"shut off".equals(TestBed.domState(vm)); i++) {
            Thread.sleep(100);
        }
        assertThat(TestBed.domState(vm)).isEqualTo("shut off");
    }

    private String bitmapFlags() {
        return TestBed.run(List.of("qemu-img", "info", "-U", "--output=json", disk.toString()), 60).out();
    }

    @Test
    void bitmaps_left_inconsistent_by_a_killed_qemu_archive_the_chain_shut_off_or_running() throws Exception {
        write(disk, 0xab, "0", "4M");
        assertOk(backup(), "full");
        write(disk, 0xcd, "8M", "2M");
        Path atInc = snapshot(disk, "inc");
        assertOk(backup(), "inc");
        TestBed.checkedVirsh("start", vm);
        killQemu();
        assertThat(bitmapFlags()).as("what qemu-img reports after the kill").contains("in-use");

        TestBed.Run shutOff = backup();

        assertOk(shutOff, "full");
        assertThat(shutOff.out()).contains("disk vda has inconsistent bitmaps [virtnbdbackup.0, virtnbdbackup.1]");
        assertThat(archives(backups)).hasSize(1);
        assertRestores(archives(backups).get(0), atInc);
        assertRestores(backups.resolve(vm), atInc);
        assertThat(bitmapFlags()).as("the stale bitmaps were removed; the new one is sound")
                .doesNotContain("in-use").contains("virtnbdbackup.0").doesNotContain("virtnbdbackup.1");
        assertThat(events()).singleElement().asString().startsWith("chain-archived|warning|");

        // The same crash, then the VM started again: QEMU itself now holds the bitmap as inconsistent.
        write(disk, 0x77, "30M", "1M");
        Path atCrash = snapshot(disk, "crash");
        assertOk(backup(), "inc");
        TestBed.checkedVirsh("start", vm);
        killQemu();
        TestBed.checkedVirsh("start", vm);

        TestBed.Run running = backup();

        assertOk(running, "full");
        assertThat(running.out()).contains("disk vda has inconsistent bitmaps [virtnbdbackup.1]");
        assertThat(archives(backups)).hasSize(2);
        assertRestores(archives(backups).get(1), atCrash);
        assertRestores(backups.resolve(vm), atCrash);
        assertOk(backup(), "inc");
        TestBed.checkedVirsh("destroy", vm);
        assertRestores(backups.resolve(vm), atCrash);
    }

    @Test
    void a_bitmap_libvirt_forgot_in_a_running_vm_does_not_fail_the_new_full_backup() throws Exception {
        write(disk, 0xab, "0", "4M");
        assertOk(backup(), "full");
        // libvirt loses the checkpoint and the chain its definition: the bitmap stays in the image.
        TestBed.checkedVirsh("checkpoint-delete", vm, "virtnbdbackup.0", "--metadata");
        try (Stream<Path> files = Files.list(backups.resolve(vm).resolve("checkpoints"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
        TestBed.checkedVirsh("start", vm);
        Path now = snapshot(disk, "now");

        TestBed.Run run = backup();

        assertOk(run, "full");
        assertThat(run.out()).contains("libvirt lost checkpoint virtnbdbackup.0");
        assertThat(TestBed.domState(vm)).as("no restart was needed").isEqualTo("running");
        assertThat(archives(backups)).hasSize(1);
        assertRestores(backups.resolve(vm), now);
    }

    @Test
    void backup_path_filling_up_mid_write_fails_truthfully_keeps_the_complete_chain_and_the_next_run_recovers()
            throws Exception {
        Path small = dir.resolve("small");
        Files.createDirectories(small);
        TestBed.Run mount = TestBed.run(List.of("mount", "-t", "tmpfs", "-o", "size=48M", "tmpfs", small.toString()),
                30);
        assertThat(mount.status()).as(mount.toString()).isZero();
        try {
            configure(small);
            write(disk, 0xab, "0", "4M");
            Path atFull = snapshot(disk, "full");
            assertOk(backup(), "full");
            write(disk, 0x5a, "4M", "30M");
            Path now = snapshot(disk, "now");
            // Something else fills the file system once virtnbdbackup has started writing (a .partial file):
            // the space check before the backup passed, the write itself runs out of room.
            Path filler = small.resolve("filler");
            String path = TestBed.pathWithStandIn(dir, "virtnbdbackup", "/usr/bin/virtnbdbackup \"$@\" &\n"
                    + "pid=$!\n"
                    + "until ls " + small + "/" + vm + "/*.partial >/dev/null 2>&1; do\n"
                    + "  kill -0 $pid 2>/dev/null || break\n"
                    + "done\n"
                    + "dd if=/dev/zero of=" + filler + " bs=1M 2>/dev/null\n"
                    + "wait $pid");

            TestBed.Run full = mvmm(java.util.Map.of("PATH", path), "backup", vm, "--full");

            assertThat(full.status()).as(full.toString()).isEqualTo(1);
            assertThat(full.out()).containsPattern(vm + " +failed +full ").doesNotContain(vm + "  ok");
            assertThat(events()).anyMatch(line -> line.startsWith("backup-failure|critical|" + vm + ": full backup "
                    + "failed"));
            TestBed.Run stats = mvmm(java.util.Map.of(), "stats", vm, "--json");
            assertThat(stats.out()).as(stats.toString()).containsPattern("\"level\"\\s*:\\s*\"full\"")
                    .containsPattern("\"result\"\\s*:\\s*\"failed\"")
                    .containsPattern("\"archived_chains\"\\s*:\\s*1");
            assertThat(archives(small)).as("--full archived the complete chain first").hasSize(1);
            assertRestores(archives(small).get(0), atFull);

            Files.delete(filler);
            TestBed.Run next = backup();

            assertOk(next, "full");
            assertThat(next.out()).contains("the first full backup was cut off");
            assertRestores(small.resolve(vm), now);
            assertRestores(archives(small).get(0), atFull);
        } finally {
            TestBed.run(List.of("umount", "-l", small.toString()), 30);
        }
    }
}
