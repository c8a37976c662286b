package dev.mvmm.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshOptionsTest {

    @Test
    void without_ssh_opts_every_default_is_there() {
        assertThat(SshOptions.merge(List.of())).isEqualTo(SshOptions.DEFAULTS);
    }

    @Test
    void an_option_the_operator_sets_replaces_the_default_in_either_form_and_any_case() {
        List<String> merged = SshOptions.merge(List.of("-i", "/root/key", "-o", "StrictHostKeyChecking=yes",
                "-oconnecttimeout=30", "-p", "2222"));

        assertThat(merged).containsExactly("-o", "BatchMode=yes", "-o", "ServerAliveInterval=15", "-o",
                "ServerAliveCountMax=4", "-i", "/root/key", "-o", "StrictHostKeyChecking=yes", "-oconnecttimeout=30",
                "-p", "2222");
    }

    @Test
    void options_written_with_a_space_or_in_a_bundle_count_too() {
        assertThat(SshOptions.merge(List.of("-o", "ServerAliveInterval 60", "-qoBatchMode=no")))
                .doesNotContain("ServerAliveInterval=15", "BatchMode=yes")
                .contains("StrictHostKeyChecking=accept-new", "ConnectTimeout=10");
    }

    @Test
    void an_argument_of_another_option_is_not_taken_for_an_option() {
        // -i takes the next word: a key file that happens to be called "-oBatchMode=no" is a file.
        assertThat(SshOptions.merge(List.of("-i", "-oBatchMode=no"))).contains("BatchMode=yes");
    }

    @Test
    void turning_host_key_checking_off_is_refused_in_every_spelling() {
        for (List<String> opts : List.of(List.of("-o", "StrictHostKeyChecking=no"),
                List.of("-oStrictHostKeyChecking=off"), List.of("-o", "stricthostkeychecking False"),
                List.of("-4o", "StrictHostKeyChecking = NO"))) {
            assertThat(SshOptions.refusal(opts)).as(opts.toString()).contains("turns host-key checking off");
            assertThatThrownBy(() -> SshOptions.merge(opts)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SshOptions.refusal(List.of("-o", "StrictHostKeyChecking=yes"))).isNull();
    }

    @Test
    void the_rsync_shell_quotes_only_words_that_need_it_and_doubles_a_quote_inside() {
        // rsync's own -e parser (rsync(1), --rsh): a backslash is an ordinary character, so '\'' would not work.
        assertThat(SshOptions.rsyncShell(List.of("-i", "/keys/it's mine", "-o", "ConnectTimeout=10", "")))
                .isEqualTo("ssh -i '/keys/it''s mine' -o ConnectTimeout=10 ''");
    }

    @Test
    void rsync_splits_the_shell_back_into_the_same_words(@TempDir Path dir) throws IOException {
        assumeTrue(Programs.onPath("rsync"));
        Path printer = dir.resolve("print-arguments");
        Files.writeString(printer, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + dir.resolve("seen")
                + "\nexit 1\n");
        printer.toFile().setExecutable(true);
        List<String> words = List.of("-i", "/keys/it's \"mine\"", "-o", "Back\\slash=1", "-o", "ProxyJump=a b", "-o",
                "User=\"x\"", "-i", "'", "-i", "''quoted''", "-p", "22");
        String shell = printer + SshOptions.rsyncShell(words).substring("ssh".length());

        ExternalCommand.run(List.of("rsync", "-e", shell, "--", dir + "/", "host:/x/"), Map.of(),
                Duration.ofSeconds(30));

        assertThat(Files.readAllLines(dir.resolve("seen")).subList(0, words.size())).isEqualTo(words);
    }
}
