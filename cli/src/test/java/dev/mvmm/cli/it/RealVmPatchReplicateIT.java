package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvmm patch} and {@code mvmm replicate} against the real libvirtd: a two-disk, two-NIC VM is
 * cloned on this host and through a real sshd on 127.0.0.1 with {@code qemu+ssh://}.
 */
class RealVmPatchReplicateIT {

    private static final Pattern MAC = Pattern.compile("<mac address='([0-9a-f:]+)'");
    private static final String CAPABILITY = "<qemu:add capability='incremental-backup'/>";

    @TempDir
    Path dir;

    private String vm;
    private Path diskA;
    private Path diskB;
    private final List<String> clones = new ArrayList<>();

    @BeforeAll
    static void bed() {
        TestBed.require();
    }

    @BeforeEach
    void setUp() throws IOException {
        vm = "mvmm-pr-" + UUID.randomUUID().toString().substring(0, 8);
        diskA = Path.of("/var/lib/libvirt/images", vm + "-a.qcow2");
        diskB = Path.of("/var/lib/libvirt/images", vm + "-b.qcow2");
        TestBed.defineVm(vm, List.of(diskA, diskB), List.of("52:54:00:7e:00:01", "52:54:00:7e:00:02"));
        TestBed.writePattern(diskA, 0x3a, "0", "2M");
        TestBed.writePattern(diskB, 0x3b, "4M", "2M");
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "wait_time=3"));
    }

    @AfterEach
    void tearDown() throws IOException {
        for (String name : clones) {
            TestBed.undefine(name);
        }
        TestBed.undefine(vm);
        try (Stream<Path> images = Files.list(Path.of("/var/lib/libvirt/images"))) {
            for (Path image : images.filter(p -> p.getFileName().toString().startsWith("mvmm-pr-")
                    && p.getFileName().toString().contains(vm.substring("mvmm-pr-".length()))).toList()) {
                TestBed.run(List.of("rm", "-rf", image.toString()), 30);
            }
        }
    }

    private TestBed.Run mvmm(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--config-dir=" + dir.resolve("conf"));
        all.add(2, "--state=" + dir.resolve("state/mvmm.db"));
        return TestBed.run(TestBed.mvmm(all.toArray(String[]::new)), 600);
    }



    private static String sha256(Path file) {
        return TestBed.run(List.of("sha256sum", file.toString()), 60).out().split(" ")[0];
    }

    private static List<String> macs(String xml) {
        List<String> macs = new ArrayList<>();
        Matcher matcher = MAC.matcher(xml);
        while (matcher.find()) {
            macs.add(matcher.group(1));
        }
        return macs;
    }

    @Test
    void patch_on_this_host_needs_nothing_and_changes_nothing() {
        String before = TestBed.checkedVirsh("dumpxml", "--inactive", vm);

        TestBed.Run patch = mvmm("patch", vm);
        TestBed.Run check = mvmm("patch", "--check", vm);

        assertThat(patch.status()).as(patch.toString()).isZero();
        assertThat(patch.out()).contains(vm).contains("not needed").contains("without the capability; nothing changed");
        assertThat(check.status()).as(check.toString()).isZero();
        assertThat(TestBed.checkedVirsh("dumpxml", "--inactive", vm)).isEqualTo(before);
    }

    @Test
    void patch_reports_a_qcow2_v2_disk_with_the_command_that_converts_it() {
        TestBed.Run made = TestBed.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=0.10",
                diskB.toString(), "64M"), 60);
        assertThat(made.status()).isZero();

        TestBed.Run check = mvmm("patch", "--check", vm);

        assertThat(check.status()).as(check.toString()).isEqualTo(1);
        assertThat(check.out()).contains("disk vdb (" + diskB + ") is qcow2 v2")
                .contains("qemu-img amend -f qcow2 -o compat=1.1 " + diskB);
    }

    @Test
    void a_declared_capability_defines_and_starts_and_restart_power_cycles_within_the_loop_guard()
            throws IOException {
        TestBed.checkedVirsh("start", vm);
        String id = TestBed.domId(vm);

        TestBed.Run patched = mvmm("patch", "--force", vm);

        assertThat(patched.status()).as("a power cycle is still needed").isEqualTo(1);
        assertThat(patched.out()).contains("patched").contains("needs a power cycle");
        assertThat(TestBed.checkedVirsh("dumpxml", "--inactive", vm)).contains(CAPABILITY);
        assertThat(TestBed.checkedVirsh("dumpxml", vm)).doesNotContain(CAPABILITY);
        assertThat(TestBed.domId(vm)).isEqualTo(id);

        Files.write(dir.resolve("conf").resolve(vm + ".conf"), List.of("max_reboots=0"));
        TestBed.Run guarded = mvmm("patch", "--force", "--restart", vm);
        assertThat(guarded.status()).isEqualTo(1);
        assertThat(guarded.err()).contains("not power-cycling").contains("max_reboots=0");
        assertThat(TestBed.domId(vm)).isEqualTo(id);
        Files.delete(dir.resolve("conf").resolve(vm + ".conf"));

        TestBed.Run cycled = mvmm("patch", "--force", "--restart", vm);

        assertThat(cycled.status()).as(cycled.toString()).isZero();
        assertThat(cycled.out()).contains("power-cycled");
        assertThat(TestBed.domState(vm)).isEqualTo("running");
        assertThat(TestBed.domId(vm)).isNotEqualTo(id);
        assertThat(TestBed.checkedVirsh("dumpxml", vm)).as("the running VM has it now").contains(CAPABILITY);
        String after = TestBed.checkedVirsh("dumpxml", "--inactive", vm);
        TestBed.Run again = mvmm("patch", "--force", vm);
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("ready");
        assertThat(TestBed.checkedVirsh("dumpxml", "--inactive", vm)).as("idempotent").isEqualTo(after);
    }

    @Test
    void a_local_clone_has_its_own_identity_and_identical_separate_disks_and_the_source_is_untouched() {
        String clone = vm + "-c";
        clones.add(clone);
        String sourceXml = TestBed.checkedVirsh("dumpxml", "--inactive", vm);
        String shaA = sha256(diskA);
        String shaB = sha256(diskB);

        TestBed.Run run = mvmm("replicate", vm, clone, "--start");

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).contains("verified identical");
        assertClone(clone, diskA.resolveSibling(clone + "-a.qcow2"), diskB.resolveSibling(clone + "-b.qcow2"));
        assertThat(TestBed.checkedVirsh("dumpxml", "--inactive", vm)).as("source untouched").isEqualTo(sourceXml);
        assertThat(sha256(diskA)).isEqualTo(shaA);
        assertThat(sha256(diskB)).isEqualTo(shaB);
        assertThat(TestBed.domState(vm)).isEqualTo("shut off");

        TestBed.Run sameName = mvmm("replicate", vm, clone);
        assertThat(sameName.status()).isEqualTo(1);
        assertThat(sameName.err()).contains("a VM named " + clone + " exists already");
        String other = vm + "-d";
        clones.add(other);
        TestBed.Run existingFile = mvmm("replicate", vm, other, "--disk", "vdb=" + diskA);
        assertThat(existingFile.status()).isEqualTo(1);
        assertThat(existingFile.err()).contains(diskA + " exists already").contains("never overwrites");
        assertThat(TestBed.virsh("domstate", other).status()).as("nothing defined").isNotZero();
        assertThat(diskA.resolveSibling(other + "-a.qcow2")).as("nothing copied").doesNotExist();
    }

    @Test
    void a_clone_onto_a_remote_host_over_ssh_is_verified_and_starts() throws Exception {
        try (SshServer ssh = new SshServer(dir.resolve("ssh"))) {
            Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "wait_time=3",
                    "ssh_opts=-o UserKnownHostsFile=" + dir.resolve("ssh/known_hosts")));
            String clone = vm + "-r";
            clones.add(clone);
            Path remoteDir = Path.of("/var/lib/libvirt/images", vm + "-remote");
            String uri = "qemu+ssh://root@127.0.0.1:" + ssh.port() + "/system?keyfile=" + dir.resolve("ssh/client")
                    + "&no_verify=1";

            TestBed.Run run = mvmm("replicate", vm, clone, "--to", uri, "--disk-dir", remoteDir.toString(), "--start");

            assertThat(run.status()).as(run.toString()).isZero();
            assertThat(run.out()).contains("on root@127.0.0.1");
            assertClone(clone, remoteDir.resolve(clone + "-a.qcow2"), remoteDir.resolve(clone + "-b.qcow2"));
            try (Stream<Path> left = Files.list(diskA.getParent())) {
                assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".mvmm-replicate")))
                        .as("no staging copies left").isEmpty();
            }
        }
    }

    @Test
    void a_failure_midway_leaves_nothing_behind() throws Exception {
        Path readOnly = dir.resolve("ro");
        Files.createDirectories(readOnly);
        TestBed.Run mount = TestBed.run(List.of("mount", "-t", "tmpfs", "-o", "ro,size=1M", "tmpfs",
                readOnly.toString()), 30);
        assertThat(mount.status()).as(mount.toString()).isZero();
        try {
            String clone = vm + "-f";
            clones.add(clone);
            Path newDir = Path.of("/var/lib/libvirt/images", vm + "-new", "sub");

            TestBed.Run run = mvmm("replicate", vm, clone, "--disk-dir", newDir.toString(), "--disk",
                    "vdb=" + readOnly.resolve("b.qcow2"));

            assertThat(run.status()).as(run.toString()).isEqualTo(1);
            assertThat(run.out()).contains("vda copied and verified identical");
            assertThat(run.err()).contains("nothing of the clone is left behind");
            assertThat(newDir.getParent()).as("created directories removed").doesNotExist();
            assertThat(TestBed.virsh("domstate", clone).status()).isNotZero();
        } finally {
            TestBed.run(List.of("umount", readOnly.toString()), 30);
        }
    }

    @Test
    void a_running_source_is_refused_unless_shut_down_for_the_copy_and_then_runs_again() {
        TestBed.checkedVirsh("start", vm);
        String clone = vm + "-s";
        clones.add(clone);

        TestBed.Run refused = mvmm("replicate", vm, clone);
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("add --shutdown-source");

        TestBed.Run run = mvmm("replicate", vm, clone, "--shutdown-source");

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).contains("started again");
        assertThat(TestBed.domState(vm)).isEqualTo("running");
        TestBed.assertSameContent(diskA.resolveSibling(clone + "-a.qcow2"), diskA);
    }

    private void assertClone(String clone, Path cloneA, Path cloneB) {
        String xml = TestBed.checkedVirsh("dumpxml", clone);
        assertThat(TestBed.domState(clone)).isEqualTo("running");
        assertThat(TestBed.checkedVirsh("domuuid", clone)).isNotEqualTo(TestBed.checkedVirsh("domuuid", vm));
        List<String> macs = macs(xml);
        assertThat(macs).hasSize(2).doesNotHaveDuplicates()
                .doesNotContain("52:54:00:7e:00:01", "52:54:00:7e:00:02");
        assertThat(xml).contains("file='" + cloneA + "'").contains("file='" + cloneB + "'")
                .doesNotContain(diskA.toString()).doesNotContain(diskB.toString());
        TestBed.assertSameContent(cloneA, diskA);
        TestBed.assertSameContent(cloneB, diskB);
        TestBed.Run info = TestBed.run(List.of("qemu-img", "info", "-U", "--output=json", cloneA.toString()), 60);
        assertThat(info.out()).contains("\"format\": \"qcow2\"");
    }
}
