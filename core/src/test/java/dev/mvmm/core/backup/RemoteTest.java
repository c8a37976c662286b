package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteTest {

    @Test
    void ssh_opts_override_the_defaults_instead_of_coming_after_them() {
        Remote remote = Remote.of("root@nas:/backups", List.of("-o", "StrictHostKeyChecking=yes", "-o",
                "ConnectTimeout=30"), List.of(), null, false);

        List<String> command = remote.command("ls");

        assertThat(command).contains("StrictHostKeyChecking=yes", "ConnectTimeout=30", "BatchMode=yes")
                .doesNotContain("StrictHostKeyChecking=accept-new", "ConnectTimeout=10");
        assertThat(command.subList(command.size() - 3, command.size())).containsExactly("root@nas", "--", "'ls'");
    }
}
