package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors of patch and replicate: refused before any hypervisor is contacted. */
class PatchReplicateCommandTest {

    @Test
    void patch_check_with_restart_is_a_contradiction() {
        CliRun run = CliRun.of("patch", "--check", "--restart", "web");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("--check changes nothing; leave out --restart");
    }

    @Test
    void patch_needs_a_vm_and_a_safe_one() {
        assertThat(CliRun.of("patch").status()).isEqualTo(64);
        CliRun unsafe = CliRun.of("patch", "../x");
        assertThat(unsafe.status()).isEqualTo(64);
        assertThat(unsafe.err()).contains("VM name '../x' cannot be used");
    }

    @Test
    void replicate_refuses_contradictions_and_non_ssh_remotes() {
        CliRun noDisks = CliRun.of("replicate", "web", "web2", "--no-disks", "--disk", "vda=/x.qcow2");
        CliRun tcp = CliRun.of("replicate", "web", "web2", "--to", "qemu+tcp://host2/system");
        CliRun name = CliRun.of("replicate", "web", "a b");

        assertThat(noDisks.status()).isEqualTo(64);
        assertThat(noDisks.err()).contains("--no-disks copies no disks");
        assertThat(tcp.status()).isEqualTo(64);
        assertThat(tcp.err()).contains("write qemu+ssh://user@host/system");
        assertThat(name.status()).isEqualTo(64);
    }

    @Test
    void replicate_onto_its_own_name_on_this_host_is_a_usage_error_not_a_busy_vm() {
        CliRun run = CliRun.of("replicate", "web", "web");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("NEW is web itself; a clone on this host needs a name of its own");
    }

    /**
     * The same name on another host is a clone's usual name there. It used to take the VM's lock
     * twice and report the VM busy, locked by this very run (exit 75, so a script retried forever).
     * Here the "other host" is a second instance of libvirt's test driver, which has a VM of that
     * name: the run gets as far as the target's own check.
     */
    @Test
    void replicate_under_the_same_name_to_another_host_takes_one_lock(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/mvmm.conf"), "uri=test:///default\n");

        CliRun run = CliRun.of("replicate", "--config-dir=" + dir.resolve("conf"), "--state=" + dir.resolve("state.db"),
                "--to", "test:///default", "test", "test");

        assertThat(run.err()).doesNotContain("busy");
        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("a VM named test exists already on");
    }
}
