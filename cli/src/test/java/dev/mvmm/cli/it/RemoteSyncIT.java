package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Off-site copies to a real sshd on 127.0.0.1 with real rsync, from real backups of a real VM. */
class RemoteSyncIT {

    @TempDir
    Path dir;

    private String vm;
    private Path disk;
    private Path backups;
    private Path remote;
    private SshServer ssh;

    @BeforeAll
    static void bed() {
        TestBed.require();
    }

    @BeforeEach
    void setUp() throws IOException {
        vm = "mvmm-rs-" + UUID.randomUUID().toString().substring(0, 8);
        disk = Path.of("/var/lib/libvirt/images", vm + ".qcow2");
        TestBed.defineTinyVm(vm, disk);
        backups = dir.resolve("backups");
        remote = dir.resolve("offsite");
        ssh = new SshServer(dir.resolve("ssh"));
        Files.createDirectories(dir.resolve("conf"));
        configure();
    }

    @AfterEach
    void tearDown() throws Exception {
        ssh.close();
        TestBed.removeVm(vm, disk);
    }

    private void configure(String... extra) throws IOException {
        configureWith(ssh.sshOpts(), extra);
    }

    private void configureWith(String sshOpts, String... extra) throws IOException {
        List<String> lines = new ArrayList<>(List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                "remote_path=root@127.0.0.1:" + remote, "ssh_opts=" + sshOpts));
        lines.addAll(List.of(extra));
        Files.write(dir.resolve("conf/mvmm.conf").toAbsolutePath(), lines);
    }

    private TestBed.Run mvmm(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config-dir=" + dir.resolve("conf"), "--state=" + dir.resolve("state.db")));
        return TestBed.run(TestBed.mvmm(all.toArray(String[]::new)), 600);
    }

    private TestBed.Run backup(String... extra) {
        List<String> args = new ArrayList<>(List.of("backup", vm, "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state.db")));
        args.addAll(List.of(extra));
        return TestBed.run(TestBed.mvmm(args.toArray(String[]::new)), 600);
    }

    private void write(int pattern, String offset, String length) {
        TestBed.Run run = TestBed.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P " + pattern + " " + offset
                + " " + length, disk.toString()), 60);
        assertThat(run.status()).as(run.toString()).isZero();
    }

    private void assertRestores(Path chain, Path expected) {
        Path out = dir.resolve("restore-" + UUID.randomUUID());
        TestBed.Run restore = TestBed.run(List.of("virtnbdrestore", "-i", chain.toString(), "-o", out.toString(),
                "--noprogress"), 300);
        assertThat(restore.status()).as(restore.toString()).isZero();
        TestBed.Run compare = TestBed.run(List.of("qemu-img", "compare", out.resolve(disk.getFileName()).toString(),
                expected.toString()), 120);
        assertThat(compare.status()).as(compare.toString()).isZero();
    }

    @Test
    void full_and_incremental_are_mirrored_and_restore_bit_identical_from_the_remote() throws Exception {
        write(0xab, "0", "4M");
        TestBed.Run full = backup();
        assertThat(full.status()).as(full.toString()).isZero();
        assertThat(full.out()).contains("ok       sync  mirrored to root@127.0.0.1:" + remote + "/" + vm);
        write(0xcd, "8M", "2M");

        TestBed.Run inc = backup();

        assertThat(inc.status()).as(inc.toString()).isZero();
        assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
        assertThat(TestBed.entries(remote)).containsExactly(vm);
        assertRestores(remote.resolve(vm), disk);
        TestBed.Run list = TestBed.run(TestBed.mvmm("backup", "list", "--remote", vm, "--config-dir="
                + dir.resolve("conf"), "--state=" + dir.resolve("state.db")), 60);
        assertThat(list.out()).contains(vm + ": root@127.0.0.1:" + remote + ": " + vm + " (");
    }

    @Test
    void a_new_chain_replaces_the_old_one_with_no_stale_files_and_remote_retention_applies() throws Exception {
        configure("remote_max_chains=1");
        write(0xab, "0", "4M");
        assertThat(backup().status()).isZero();
        write(0x12, "1M", "1M");
        assertThat(backup().status()).isZero();
        write(0x13, "2M", "1M");
        assertThat(backup("--full").status()).isZero();
        write(0x14, "3M", "1M");

        TestBed.Run third = backup("--full");

        assertThat(third.status()).as(third.toString()).isZero();
        assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
        List<String> remoteArchives = TestBed.entries(remote).stream().filter(n -> !n.equals(vm)).toList();
        assertThat(remoteArchives).hasSize(1);
        String newest = TestBed.entries(backups).stream().filter(n -> n.startsWith(vm + ".")).max(String::compareTo)
                .orElseThrow();
        assertThat(remoteArchives).containsExactly(newest);
        assertThat(TestBed.files(remote.resolve(newest))).isEqualTo(TestBed.files(backups.resolve(newest)));
    }

    @Test
    void a_remote_down_fails_only_the_sync_and_the_next_contact_catches_up() throws Exception {
        Path events = dir.resolve("events");
        Path script = dir.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$MVMM_EVENT|$MVMM_VM|$MVMM_SEVERITY|$MVMM_MESSAGE\" >> " + events
                + "\n");
        script.toFile().setExecutable(true);
        configure("notify_command=" + script);
        write(0xab, "0", "4M");
        assertThat(backup().status()).isZero();
        ssh.stop();
        write(0x21, "5M", "1M");

        TestBed.Run down = backup("--full");

        assertThat(down.status()).as(down.toString()).isEqualTo(1);
        assertThat(down.out()).contains(vm + "  ok       full").contains(vm + "  failed   sync  failed: cannot reach");
        assertRestores(backups.resolve(vm), disk);
        assertThat(Files.readAllLines(events)).singleElement().asString()
                .startsWith("sync-failure|" + vm + "|critical|" + vm + ": off-site copy failed, retried next run: "
                        + "cannot reach root@127.0.0.1:" + remote);

        TestBed.Run stats = TestBed.run(TestBed.mvmm("stats", "--json", vm, "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state.db")), 60);
        assertThat(stats.out()).contains("\"result\" : \"failed\"");

        ssh.start();
        TestBed.Run back = backup("--sync-only");

        assertThat(back.status()).as(back.toString()).isZero();
        String archived = TestBed.entries(backups).stream().filter(n -> n.startsWith(vm + ".")).findFirst().orElseThrow();
        assertThat(TestBed.entries(remote)).containsExactlyInAnyOrder(vm, archived);
        assertThat(TestBed.files(remote.resolve(archived))).isEqualTo(TestBed.files(backups.resolve(archived)));
        assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
    }

    @Test
    void a_full_remote_fails_only_the_sync_keeps_the_last_mirror_and_is_caught_up_once_there_is_room()
            throws Exception {
        Files.createDirectories(remote);
        TestBed.Run mount = TestBed.run(List.of("mount", "-t", "tmpfs", "-o", "size=16M", "tmpfs", remote.toString()),
                30);
        assertThat(mount.status()).as(mount.toString()).isZero();
        try {
            Path events = dir.resolve("events");
            Path script = dir.resolve("notify.sh");
            Files.writeString(script, "#!/bin/sh\necho \"$MVMM_EVENT|$MVMM_VM|$MVMM_MESSAGE\" >> " + events + "\n");
            script.toFile().setExecutable(true);
            configure("notify_command=" + script);
            write(0xab, "0", "4M");
            assertThat(backup().status()).isZero();
            List<String> before = TestBed.files(remote.resolve(vm));
            write(0x5a, "4M", "24M");

            TestBed.Run full = backup();

            assertThat(full.status()).as(full.toString()).isEqualTo(1);
            assertThat(full.out()).contains(vm + "  ok       inc").contains(vm + "  failed   sync  failed: copying")
                    .contains("the remote is full");
            assertThat(TestBed.entries(remote)).as("no half copy left to fill the remote").containsExactly(vm);
            assertThat(TestBed.files(remote.resolve(vm))).as("the last complete mirror").isEqualTo(before);
            assertThat(Files.readAllLines(events)).singleElement().asString()
                    .startsWith("sync-failure|" + vm + "|" + vm + ": off-site copy failed, retried next run: copying");
            assertRestores(backups.resolve(vm), disk);

            TestBed.Run roomier = TestBed.run(List.of("mount", "-o", "remount,size=128M", remote.toString()), 30);
            assertThat(roomier.status()).as(roomier.toString()).isZero();
            TestBed.Run retry = backup("--sync-only");

            assertThat(retry.status()).as(retry.toString()).isZero();
            assertThat(TestBed.entries(remote)).containsExactly(vm);
            assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
            assertRestores(remote.resolve(vm), disk);
        } finally {
            TestBed.run(List.of("umount", remote.toString()), 30);
        }
    }

    @Test
    void a_sync_killed_mid_transfer_never_presents_a_half_chain_and_is_retried() throws Exception {
        write(0xab, "0", "4M");
        assertThat(backup().status()).isZero();
        List<String> before = TestBed.files(remote.resolve(vm));
        write(0x5a, "4M", "40M");
        configure("remote_bwlimit=2000");
        Process run = new ProcessBuilder(TestBed.mvmm("backup", vm, "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state.db"))).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sync.log").toFile()).start();
        Path incoming = remote.resolve("." + vm + ".incoming");
        // Only this test's own copy: its rsync names this test's remote directory and VM.
        String copy = "^rsync -a --delete .*" + (incoming + "/").replace(".", "\\.") + "$";
        boolean transferring = false;
        for (int i = 0; i < 1500 && run.isAlive() && !transferring; i++) {
            Thread.sleep(20);
            transferring = Files.isDirectory(incoming) && TestBed.run(List.of("pgrep", "-f", copy), 10).status() == 0;
        }
        assertThat(transferring).as("the transfer was under way").isTrue();
        TestBed.run(List.of("pkill", "-9", "-f", copy), 10);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(run.exitValue()).as(Files.readString(dir.resolve("sync.log"))).isEqualTo(1);
        assertThat(TestBed.files(remote.resolve(vm))).as("the remote still shows the last complete mirror")
                .isEqualTo(before);

        configure();
        TestBed.Run retry = backup("--sync-only");

        assertThat(retry.status()).as(retry.toString()).isZero();
        assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
        assertThat(Files.exists(incoming)).isFalse();
        assertRestores(remote.resolve(vm), disk);

        // A switch cut between its two renames: <VM> missing, the checked copy as .<VM>.new beside .<VM>.old.
        TestBed.Run copied = TestBed.run(List.of("cp", "-a", remote.resolve(vm).toString(),
                remote.resolve("." + vm + ".new").toString()), 60);
        assertThat(copied.status()).as(copied.toString()).isZero();
        Files.move(remote.resolve(vm), remote.resolve("." + vm + ".old"));
        TestBed.Run list = mvmm("backup", "list", "--remote", vm);
        assertThat(list.out()).as(list.toString()).contains(vm + ": root@127.0.0.1:" + remote + ": " + vm + " (")
                .contains("held as ." + vm + ".new after a cut-off switch");

        TestBed.Run repaired = backup("--sync-only");

        assertThat(repaired.status()).as(repaired.toString()).isZero();
        assertThat(TestBed.entries(remote)).containsExactly(vm);
        assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
    }

    @Test
    void an_archive_deleted_locally_during_an_outage_keeps_its_name_remotely_and_an_ordinary_backup_catches_up()
            throws Exception {
        configure("max_chains=0");
        write(0xab, "0", "4M");
        assertThat(backup().status()).isZero();
        ssh.stop();
        write(0x31, "5M", "1M");

        TestBed.Run down = backup("--full");

        assertThat(down.status()).as(down.toString()).isEqualTo(1);
        Matcher archived = Pattern.compile("archived the chain as (" + Pattern.quote(vm) + "\\.\\d{8}T\\d{6}Z)")
                .matcher(down.err());
        assertThat(archived.find()).as(down.toString()).isTrue();
        String archive = archived.group(1);
        assertThat(TestBed.entries(backups)).as("max_chains=0 deleted the archive").doesNotContain(archive);

        ssh.start();
        write(0x32, "6M", "1M");
        TestBed.Run back = backup();

        assertThat(back.status()).as(back.toString()).isZero();
        assertThat(back.out()).contains(vm + "  ok       inc").contains(vm + "  ok       sync");
        assertThat(TestBed.entries(remote)).containsExactlyInAnyOrder(vm, archive);
        assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
        assertRestores(remote.resolve(vm), disk);
    }

    @Test
    void verbose_rsync_args_a_key_path_with_a_quote_and_remote_checksum_work() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("it's a key"));
        Files.copy(dir.resolve("ssh/client"), keys.resolve("client"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        String sshOpts = "-i \"" + keys.resolve("client") + "\" -p " + ssh.port() + " -o UserKnownHostsFile="
                + dir.resolve("ssh/known_hosts");
        configureWith(sshOpts, "rsync_args=-v --stats");
        write(0xab, "0", "4M");

        TestBed.Run first = backup();

        assertThat(first.status()).as(first.toString()).isZero();
        assertThat(first.out()).contains(vm + "  ok       sync  mirrored to");
        Path local = fullData(backups.resolve(vm));
        Path copy = remote.resolve(vm).resolve(local.getFileName());
        // Damage the remote copy and keep its size and time: only a checksum tells.
        FileTime time = Files.getLastModifiedTime(copy);
        try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw")) {
            file.seek(file.length() / 2);
            int b = file.read();
            file.seek(file.length() / 2);
            file.write(b ^ 0xff);
        }
        Files.setLastModifiedTime(copy, time);

        TestBed.Run quick = backup("--sync-only");

        assertThat(quick.status()).as(quick.toString()).isZero();
        assertThat(Files.mismatch(copy, local)).as("rsync's quick check does not see it").isNotEqualTo(-1L);

        configureWith(sshOpts, "rsync_args=-v --stats", "remote_checksum=true");
        TestBed.Run checked = backup("--sync-only");

        assertThat(checked.status()).as(checked.toString()).isZero();
        assertThat(Files.mismatch(remote.resolve(vm).resolve(local.getFileName()), local)).isEqualTo(-1L);
        assertThat(TestBed.files(remote.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
    }

    private static Path fullData(Path chain) throws IOException {
        try (Stream<Path> list = Files.list(chain)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".full.data")).findFirst().orElseThrow();
        }
    }

    @Test
    void a_local_remote_path_such_as_a_mounted_nas_is_mirrored_too() throws Exception {
        Path nas = dir.resolve("nas");
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + backups,
                "remote_path=" + nas));
        write(0xab, "0", "4M");

        TestBed.Run run = backup();

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(TestBed.files(nas.resolve(vm))).isEqualTo(TestBed.files(backups.resolve(vm)));
        assertRestores(nas.resolve(vm), disk);
    }
}
