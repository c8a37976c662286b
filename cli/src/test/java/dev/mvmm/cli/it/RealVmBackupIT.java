package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvmm backup} with real virtnbdbackup on real QEMU VMs. Every test checks data: chains are
 * restored with virtnbdrestore and compared with {@code qemu-img compare} against copies of the disk
 * taken at the moment of each backup.
 */
class RealVmBackupIT {

    @TempDir
    Path dir;

    private String vm;
    private Path disk;
    private Path backups;

    @BeforeAll
    static void bed() {
        TestBed.require();
    }

    @BeforeEach
    void setUp() throws IOException {
        vm = "mvmm-bk-" + UUID.randomUUID().toString().substring(0, 8);
        disk = Path.of("/var/lib/libvirt/images", vm + ".qcow2");
        TestBed.defineTinyVm(vm, disk);
        backups = dir.resolve("backups");
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups));
    }

    @AfterEach
    void tearDown() {
        TestBed.removeVm(vm, disk);
    }

    private TestBed.Run mvmm(String... args) {
        return mvmm(java.util.Map.of(), args);
    }

    /** mvmm with environment variables added (a PATH with stand-ins first). */
    private TestBed.Run mvmm(java.util.Map<String, String> environment, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--config-dir=" + dir.resolve("conf"));
        all.add(2, "--state=" + dir.resolve("state/mvmm.db"));
        return TestBed.run(TestBed.mvmm(all.toArray(String[]::new)), 600, environment);
    }

    private TestBed.Run backup(String... extra) {
        List<String> args = new ArrayList<>(List.of("backup", vm));
        args.addAll(List.of(extra));
        return mvmm(args.toArray(String[]::new));
    }

    private void write(int pattern, String offset, String length) {
        TestBed.Run run = TestBed.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P " + pattern + " " + offset
                + " " + length, disk.toString()), 60);
        assertThat(run.status()).as(run.toString()).isZero();
    }

    /** A copy of the disk as it is now (the VM is shut off). */
    private Path snapshot(String name) {
        Path copy = dir.resolve(name + ".qcow2");
        TestBed.Run run = TestBed.run(List.of("qemu-img", "convert", "-U", "-O", "qcow2", disk.toString(),
                copy.toString()), 120);
        assertThat(run.status()).as(run.toString()).isZero();
        return copy;
    }

    /** Restores a chain (up to a checkpoint when given) and compares it with an expected image. */
    private void assertRestores(Path chain, String until, Path expected) {
        Path out = dir.resolve("restore-" + UUID.randomUUID());
        List<String> command = new ArrayList<>(List.of("virtnbdrestore", "-i", chain.toString(), "-o", out.toString(),
                "--noprogress"));
        if (until != null) {
            command.addAll(List.of("--until", until));
        }
        TestBed.Run restore = TestBed.run(command, 300);
        assertThat(restore.status()).as(restore.toString()).isZero();
        TestBed.Run compare = TestBed.run(List.of("qemu-img", "compare", out.resolve(disk.getFileName()).toString(),
                expected.toString()), 120);
        assertThat(compare.status()).as("restored chain " + chain.getFileName() + " until " + until + ": "
                + compare).isZero();
    }

    private void assertOk(TestBed.Run run, String level) {
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern(vm + " +ok +" + level + " ");
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> entries = Files.list(backups)) {
            return entries.filter(p -> p.getFileName().toString().matches(vm.replace("-", "\\-")
                    + "\\.\\d{8}T\\d{6}Z")).sorted().toList();
        }
    }

    @Test
    void full_inc_inc_across_a_restart_and_offline_inc_all_restore_bit_identical() throws Exception {
        write(0xab, "0", "4M");
        Path atFull = snapshot("full");
        assertOk(backup(), "full");
        assertThat(TestBed.domState(vm)).as("a shut-off VM stays shut off").isEqualTo("shut off");
        assertRestores(backups.resolve(vm), null, atFull);

        write(0xcd, "8M", "2M");
        Path atOffline = snapshot("offline");
        assertOk(backup(), "inc");
        assertRestores(backups.resolve(vm), null, atOffline);

        TestBed.checkedVirsh("start", vm);
        assertOk(backup(), "inc");
        TestBed.checkedVirsh("destroy", vm);
        assertRestores(backups.resolve(vm), null, atOffline);

        write(0xef, "16M", "3M");
        Path atRestart = snapshot("restart");
        TestBed.checkedVirsh("start", vm);
        TestBed.checkedVirsh("destroy", vm);
        TestBed.checkedVirsh("start", vm);
        assertOk(backup(), "inc");
        TestBed.checkedVirsh("destroy", vm);
        assertRestores(backups.resolve(vm), null, atRestart);

        write(0x11, "30M", "1M");
        Path atLast = snapshot("last");
        assertOk(backup(), "inc");
        assertRestores(backups.resolve(vm), null, atLast);
        assertRestores(backups.resolve(vm), "virtnbdbackup.1", atOffline);
        assertRestores(backups.resolve(vm), "virtnbdbackup.3", atRestart);

        TestBed.Run list = mvmm("backup", "list", vm);
        assertThat(list.out()).contains("5 checkpoints [virtnbdbackup.0, virtnbdbackup.1, virtnbdbackup.2, "
                + "virtnbdbackup.3, virtnbdbackup.4]")
                .contains("complete");
        TestBed.Run verify = mvmm("backup", "verify", vm);
        assertThat(verify.status()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains(vm + ": " + vm + ": ok");
    }

    @Test
    void a_lost_bitmap_archives_the_chain_which_stays_restorable_and_a_new_full_chain_starts() throws Exception {
        write(0xab, "0", "4M");
        Path atFull = snapshot("full");
        assertOk(backup(), "full");
        TestBed.Run removed = TestBed.run(List.of("qemu-img", "bitmap", "--remove", disk.toString(),
                "virtnbdbackup.0"), 60);
        assertThat(removed.status()).as(removed.toString()).isZero();
        write(0x22, "4M", "1M");
        Path now = snapshot("now");

        TestBed.Run run = backup();

        assertOk(run, "full");
        assertThat(run.out()).contains("has bitmaps [] where the chain has [virtnbdbackup.0]");
        assertThat(archives()).hasSize(1);
        assertRestores(archives().get(0), null, atFull);
        assertRestores(backups.resolve(vm), null, now);
    }

    @Test
    void checkpoints_lost_by_libvirt_after_a_host_crash_are_survived() throws Exception {
        write(0xab, "0", "4M");
        assertOk(backup(), "full");
        TestBed.checkedVirsh("checkpoint-delete", vm, "virtnbdbackup.0", "--metadata");
        write(0x33, "2M", "1M");
        Path now = snapshot("now");

        TestBed.Run run = backup();

        assertOk(run, "inc");
        assertThat(archives()).isEmpty();
        assertRestores(backups.resolve(vm), null, now);
    }

    @Test
    void a_disk_added_since_the_last_backup_starts_a_new_chain() throws Exception {
        write(0xab, "0", "4M");
        Path atFull = snapshot("full");
        assertOk(backup(), "full");
        Path second = Path.of("/var/lib/libvirt/images", vm + "-b.qcow2");
        try {
            assertThat(TestBed.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", second.toString(), "16M"), 60)
                    .status()).isZero();
            TestBed.checkedVirsh("attach-disk", vm, second.toString(), "vdb", "--driver", "qemu", "--subdriver",
                    "qcow2", "--config");

            TestBed.Run run = backup();

            assertOk(run, "full");
            assertThat(run.out()).contains("its disks changed ([vda] then, [vda, vdb] now)");
            assertRestores(archives().get(0), null, atFull);
        } finally {
            Files.deleteIfExists(second);
        }
    }

    @Test
    void a_redefined_vm_starts_a_new_chain() throws Exception {
        write(0xab, "0", "4M");
        assertOk(backup(), "full");
        String xml = TestBed.checkedVirsh("dumpxml", vm).replaceAll("<uuid>[^<]*</uuid>", "");
        Path file = dir.resolve("redefined.xml");
        Files.writeString(file, xml);
        TestBed.checkedVirsh("undefine", vm, "--checkpoints-metadata");
        TestBed.checkedVirsh("define", file.toString());

        TestBed.Run run = backup();

        assertOk(run, "full");
        assertThat(run.out()).contains("the VM was redefined (new UUID)");
        assertThat(archives()).hasSize(1);
    }

    @Test
    void a_killed_virtnbdbackup_is_reported_as_a_failure_and_the_next_run_repairs_the_chain() throws Exception {
        write(0xab, "0", "4M");
        Path atFull = snapshot("full");
        assertOk(backup(), "full");
        write(0x44, "0", "60M");
        TestBed.checkedVirsh("start", vm);
        // The real virtnbdbackup, SIGKILLed by its stand-in as soon as it writes data (a .partial file):
        // the kill happens mid-backup every time, and the stand-in says how its child ended.
        Path chain = backups.resolve(vm);
        Path status = dir.resolve("virtnbdbackup-status");
        String path = TestBed.pathWithStandIn(dir, "virtnbdbackup", "/usr/bin/virtnbdbackup \"$@\" &\n"
                + "pid=$!\n"
                + "until ls " + chain + "/*.partial >/dev/null 2>&1; do\n"
                + "  grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null && break\n"
                + "done\n"
                + "kill -9 $pid\n"
                + "wait $pid\n"
                + "code=$?\n"
                + "echo $code > " + status + "\n"
                + "exit $code");

        TestBed.Run killed = mvmm(java.util.Map.of("PATH", path), "backup", vm);

        assertThat(Files.readString(status).strip()).as("virtnbdbackup was killed mid-backup").isEqualTo("137");
        assertThat(killed.status()).as(killed.toString()).isEqualTo(1);
        assertThat(killed.out()).contains(vm + "  failed").contains("virtnbdbackup failed");
        try (Stream<Path> files = Files.list(chain)) {
            assertThat(files.map(file -> file.getFileName().toString())).as("the kill left the incremental cut off")
                    .anyMatch(name -> name.endsWith(".partial"));
        }
        TestBed.checkedVirsh("destroy", vm);
        Path now = snapshot("now");

        TestBed.Run next = backup();

        assertOk(next, "inc");
        assertThat(next.out()).contains("a backup was cut off at checkpoint virtnbdbackup.1; dropping it");
        assertThat(archives()).as("the chain was repaired, not archived").isEmpty();
        assertRestores(chain, "virtnbdbackup.0", atFull);
        assertRestores(chain, null, now);
    }

    @Test
    void a_full_backup_path_fails_the_backup_truthfully_and_keeps_the_chain() throws Exception {
        write(0xab, "0", "4M");
        Path atFull = snapshot("full");
        assertOk(backup(), "full");
        Path small = dir.resolve("small");
        Files.createDirectories(small);
        TestBed.Run mount = TestBed.run(List.of("mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", small.toString()),
                30);
        assertThat(mount.status()).as(mount.toString()).isZero();
        try {
            Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + small));

            TestBed.Run run = backup();

            assertThat(run.status()).as(run.toString()).isEqualTo(1);
            assertThat(run.out()).contains(vm + "  failed").containsPattern("not enough space|No space left");
            assertRestores(backups.resolve(vm), null, atFull);
        } finally {
            TestBed.run(List.of("umount", small.toString()), 30);
        }
    }

    @Test
    void check_leaves_a_vm_alone_while_it_is_being_backed_up() throws Exception {
        write(0xab, "0", "1M");
        TestBed.checkedVirsh("start", vm);
        Files.write(dir.resolve("conf").resolve(vm + ".conf"), List.of("ip=127.0.0.1", "portsall=1",
                "fail_threshold=0", "recovery_time=0"));
        String id = TestBed.domId(vm);
        // The real virtnbdbackup, started 3 s late: a small disk is otherwise backed up before a check's JVM is up.
        Path bin = Files.createDirectories(dir.resolve("slow-bin"));
        Path slow = bin.resolve("virtnbdbackup");
        Files.writeString(slow, "#!/bin/sh\nsleep 3\nexec /usr/bin/virtnbdbackup \"$@\"\n");
        slow.toFile().setExecutable(true);
        ProcessBuilder builder = new ProcessBuilder(TestBed.mvmm("backup", vm, "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state/mvmm.db"))).redirectErrorStream(true)
                .redirectOutput(dir.resolve("backup.log").toFile());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process backup = builder.start();
        // Only once the backup holds the VM: a check that came first would itself act on the failing VM.
        Path lockFile = dir.resolve("state/locks/" + vm + ".lock");
        for (int i = 0; i < 300 && !(Files.exists(lockFile) && Files.readString(lockFile).contains("backup")); i++) {
            Thread.sleep(100);
        }
        TestBed.Run check = null;
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 200 && backup.isAlive(); i++) {
            TestBed.Run attempt = mvmm("check", vm);
            if (attempt.out().contains("busy: locked by backup")) {
                check = attempt;
                break;
            }
            seen.add(attempt.toString());
        }
        assertThat(backup.waitFor(300, TimeUnit.SECONDS)).isTrue();

        assertThat(check).as("a check ran while the backup held the VM; the checks saw:\n" + String.join("\n", seen)
                + "\nthe backup said:\n" + Files.readString(dir.resolve("backup.log"))).isNotNull();
        assertThat(check.status()).isEqualTo(75);
        assertThat(TestBed.domId(vm)).as("not rebooted mid-backup").isEqualTo(id);
        assertThat(Files.readString(dir.resolve("backup.log"))).contains(vm + "  ok");
    }

    @Test
    void autostart_starts_a_shut_off_vm_after_its_backup() throws Exception {
        Files.write(dir.resolve("conf").resolve(vm + ".conf"), List.of("autostart=true"));

        assertOk(backup(), "full");

        assertThat(TestBed.domState(vm)).isEqualTo("running");
    }

    @Test
    void a_raw_disk_gets_a_plain_full_copy_every_time() throws Exception {
        TestBed.removeVm(vm, disk);
        disk = Path.of("/var/lib/libvirt/images", vm + ".raw");
        assertThat(TestBed.run(List.of("qemu-img", "create", "-q", "-f", "raw", disk.toString(), "32M"), 60).status())
                .isZero();
        String xml = "<domain type='qemu'><name>" + vm + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><disk type='file' device='disk'>"
                + "<driver name='qemu' type='raw'/><source file='" + disk + "'/><target dev='vda' bus='virtio'/>"
                + "</disk></devices></domain>";
        Files.writeString(dir.resolve("raw.xml"), xml);
        TestBed.checkedVirsh("define", dir.resolve("raw.xml").toString());

        TestBed.Run first = backup("-v");
        TestBed.Run second = backup("-v");

        assertThat(first.status()).as(first.toString()).isZero();
        assertThat(first.out()).containsPattern(vm + " +ok +copy ").contains("a full copy every time");
        assertThat(second.status()).as(second.toString()).isZero();
        assertThat(archives()).hasSize(1);
    }

    @Test
    void a_failed_backup_runs_the_notify_command() throws Exception {
        Path events = dir.resolve("events");
        Path script = dir.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$MVMM_EVENT $MVMM_VM $MVMM_SEVERITY\" >> " + events + "\n");
        script.toFile().setExecutable(true);
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                "notify_command=" + script, "virtnbdbackup_args=--no-such-option"));

        TestBed.Run run = backup();

        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(Files.readString(events)).contains("backup-failure " + vm + " critical");
    }

    @Test
    void a_second_backup_of_the_same_vm_exits_75_naming_the_holder() throws Exception {
        write(0xab, "0", "1M");
        // The real virtnbdbackup, started 5 s late, so that the first backup surely holds the VM meanwhile.
        String path = TestBed.pathWithStandIn(dir, "virtnbdbackup", "sleep 5\nexec /usr/bin/virtnbdbackup \"$@\"");
        ProcessBuilder builder = new ProcessBuilder(TestBed.mvmm("backup", vm, "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state/mvmm.db"))).redirectErrorStream(true)
                .redirectOutput(dir.resolve("first.log").toFile());
        builder.environment().put("PATH", path);
        Process first = builder.start();
        Path lockFile = dir.resolve("state/locks/" + vm + ".lock");
        for (int i = 0; i < 300 && !(Files.exists(lockFile) && Files.readString(lockFile).contains("backup")); i++) {
            Thread.sleep(20);
        }

        TestBed.Run second = backup();

        assertThat(first.isAlive()).as("the first backup still ran during the second").isTrue();
        assertThat(second.status()).as(second.toString()).isEqualTo(75);
        assertThat(second.out()).contains(vm + "  busy").contains("busy: locked by backup (pid " + first.pid() + ",")
                .contains("1 VMs: 0 backed up, 0 failed, 1 skipped");
        assertThat(first.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(dir.resolve("first.log"))).isZero();
        assertThat(Files.readString(dir.resolve("first.log"))).contains(vm + "  ok       full");
    }

    @Test
    void one_vm_failing_does_not_stop_another_and_the_run_reports_both() throws Exception {
        String bad = vm + "-bad";
        Path badDisk = Path.of("/var/lib/libvirt/images", bad + ".qcow2");
        TestBed.defineTinyVm(bad, badDisk);
        try {
            write(0xab, "0", "4M");
            Path atFull = snapshot("full");
            Files.write(dir.resolve("conf").resolve(bad + ".conf"), List.of("virtnbdbackup_args=--no-such-option"));

            TestBed.Run run = mvmm("backup", bad, vm);

            assertThat(run.status()).as(run.toString()).isEqualTo(1);
            assertThat(run.out()).containsPattern(bad + " +failed +full +virtnbdbackup failed")
                    .containsPattern(vm + " +ok +full ").contains("2 VMs: 1 backed up, 1 failed, 0 skipped");
            assertRestores(backups.resolve(vm), null, atFull);
        } finally {
            TestBed.removeVm(bad, badDisk);
        }
    }

    @Test
    void an_archived_broken_chain_is_notified_and_an_archive_asked_for_with_full_is_not() throws Exception {
        Path events = dir.resolve("events");
        Path script = dir.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$MVMM_EVENT|$MVMM_VM|$MVMM_SEVERITY|$MVMM_MESSAGE\" >> "
                + events + "\n");
        script.toFile().setExecutable(true);
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                "notify_command=" + script));
        write(0xab, "0", "4M");
        assertOk(backup(), "full");

        TestBed.Run full = backup("--full");

        assertOk(full, "full");
        assertThat(archives()).hasSize(1);
        assertThat(events).as("an archive asked for is routine, not an event").doesNotExist();

        TestBed.checkedVirsh("checkpoint-delete", vm, "virtnbdbackup.0", "--metadata");
        assertThat(TestBed.run(List.of("qemu-img", "bitmap", "--remove", disk.toString(), "virtnbdbackup.0"), 60)
                .status()).isZero();
        TestBed.Run broken = backup();

        assertOk(broken, "full");
        assertThat(archives()).hasSize(2);
        String archived = archives().get(1).getFileName().toString();
        assertThat(Files.readAllLines(events)).containsExactly("chain-archived|" + vm + "|warning|" + vm
                + ": chain archived as " + archived + " because disk vda has bitmaps [] where the chain has "
                + "[virtnbdbackup.0]; a new full chain starts");
    }

    @Test
    void mvmm_killed_mid_backup_loses_nothing_and_the_next_run_recovers() throws Exception {
        write(0xab, "0", "4M");
        assertOk(backup(), "full");
        write(0x55, "0", "60M");
        Process run = new ProcessBuilder(TestBed.mvmm("backup", vm, "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state/mvmm.db"))).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile()).start();
        boolean started = false;
        for (int i = 0; i < 600 && run.isAlive() && !started; i++) {
            Thread.sleep(20);
            started = TestBed.run(List.of("pgrep", "-f", running(vm)), 10)
                    .status() == 0;
        }
        assertThat(started).as("virtnbdbackup was started").isTrue();
        run.destroyForcibly();
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();

        TestBed.Run meanwhile = backup();
        assertThat(meanwhile.out()).as(meanwhile.toString()).doesNotContain(vm + "  ok       full");
        for (int i = 0; i < 600; i++) {
            if (TestBed.run(List.of("pgrep", "-f", running(vm)), 10).status()
                    != 0) {
                break;
            }
            Thread.sleep(100);
        }
        Path now = snapshot("now");
        assertThat(TestBed.domState(vm)).as("left paused by the killed mvmm").isEqualTo("paused");

        TestBed.Run next = backup();

        assertThat(next.status()).as(next.toString()).isZero();
        assertThat(next.err()).contains("which was cut off; shutting it off again");
        assertRestores(backups.resolve(vm), null, now);
        assertThat(TestBed.domState(vm)).as("the VM mvmm had started paused is shut off again")
                .isEqualTo("shut off");
    }

    @Test
    void restore_into_a_new_directory_by_checkpoint_time_disk_and_from_the_off_site_copy() throws Exception {
        Path nas = dir.resolve("nas");
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                "remote_path=" + nas));
        write(0xab, "0", "4M");
        Path atFull = snapshot("full");
        assertOk(backup(), "full");
        Thread.sleep(1100);
        String between = java.time.Instant.now().toString();
        Thread.sleep(1100);
        write(0xcd, "8M", "2M");
        Path atInc = snapshot("inc");
        assertOk(backup(), "inc");
        String liveBefore = TestBed.run(List.of("sha256sum", disk.toString()), 60).out();

        TestBed.Run latest = mvmm("restore", vm, "--to", dir.resolve("r-latest").toString());
        TestBed.Run first = mvmm("restore", vm, "--checkpoint", "0", "--to", dir.resolve("r-first").toString());
        TestBed.Run byTime = mvmm("restore", vm, "--at", between, "--to", dir.resolve("r-time").toString());
        TestBed.Run remote = mvmm("restore", vm, "--from-remote", "--disk", "vda", "--to",
                dir.resolve("r-remote").toString());

        for (TestBed.Run run : List.of(latest, first, byTime, remote)) {
            assertThat(run.status()).as(run.toString()).isZero();
        }
        assertThat(byTime.out()).contains("up to virtnbdbackup.0");
        compare(dir.resolve("r-latest"), atInc);
        compare(dir.resolve("r-first"), atFull);
        compare(dir.resolve("r-time"), atFull);
        compare(dir.resolve("r-remote"), atInc);
        assertThat(TestBed.run(List.of("sha256sum", disk.toString()), 60).out()).as("the live disk is untouched")
                .isEqualTo(liveBefore);

        TestBed.Run missing = mvmm("restore", vm, "--checkpoint", "7", "--to", dir.resolve("r-none").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("has no checkpoint virtnbdbackup.7");
        TestBed.Run occupied = mvmm("restore", vm, "--to", dir.resolve("r-latest").toString());
        assertThat(occupied.status()).isEqualTo(1);
        assertThat(occupied.err()).contains("is not empty");
    }

    private void compare(Path restored, Path expected) {
        TestBed.Run compare = TestBed.run(List.of("qemu-img", "compare", restored.resolve(disk.getFileName())
                .toString(), expected.toString()), 120);
        assertThat(compare.status()).as(restored + ": " + compare).isZero();
    }

    /** The pgrep pattern of the virtnbdbackup mvmm runs for a VM (values attached to their options). */
    private static String running(String vm) {
        return "virtnbdbackup --uri=" + TestBed.URI + " --domain=" + vm;
    }
}
