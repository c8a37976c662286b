package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
}
