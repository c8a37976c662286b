package dev.mvmm.core.replicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** replicate --to qemu+ssh://...: the URI's user never reaches ssh or rsync as an option. */
class SshFilesArgumentsTest {

    @Test
    void a_user_that_ssh_would_read_as_an_option_is_refused() {
        for (String uri : List.of("qemu+ssh://-oProxyCommand=touch%20x@host/system", "qemu+ssh://-l@host/system",
                "qemu+ssh://a%20b@host/system", "qemu+ssh://a;b@host/system")) {
            assertThatThrownBy(() -> SshFiles.of(URI.create(uri), List.of(), null)).as(uri)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may not begin with '-'");
        }
    }

    @Test
    void the_login_follows_the_end_of_sshs_options() {
        SshFiles files = SshFiles.of(URI.create("qemu+ssh://root@kvm2.example:2222/system?keyfile=/root/k"),
                List.of("-o", "ProxyJump=a b"), null);

        List<String> command = files.command("rm", "-rf", "--", "/var/lib/libvirt/images/-x.qcow2");

        assertThat(command.subList(command.size() - 3, command.size())).containsExactly("--", "root@kvm2.example",
                "'rm' '-rf' '--' '/var/lib/libvirt/images/-x.qcow2'");
        assertThat(command).containsSubsequence("-p", "2222", "-i", "/root/k", "-o", "ProxyJump=a b", "--");
    }
}
