package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore command's refusals, which need no VM and no backup. */
class RestoreCommandTest {

    @TempDir
    Path dir;

    private CliRun mvmm(List<String> conf, String... args) throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), conf);
        String[] all = new String[args.length + 3];
        all[0] = "restore";
        all[1] = "--config-dir=" + dir.resolve("conf");
        all[2] = "--state=" + dir.resolve("state.db");
        System.arraycopy(args, 0, all, 3, args.length);
        return CliRun.of(all);
    }

    @Test
    void without_a_backup_path_it_says_so() throws IOException {
        CliRun run = mvmm(List.of(), "web");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("mvmm restore: web: no backup_path configured for web"
                + System.lineSeparator());
    }

    @Test
    void from_the_remote_without_a_remote_path_it_says_so() throws IOException {
        CliRun run = mvmm(List.of("backup_path=" + dir.resolve("b")), "web", "--from-remote");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("no remote_path configured for web");
    }

    @Test
    void a_missing_chain_points_to_backup_list() throws IOException {
        CliRun run = mvmm(List.of("backup_path=" + dir.resolve("b")), "web", "--chain", "20260101T000000Z");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("no chain " + dir.resolve("b/web.20260101T000000Z"))
                .contains("see 'mvmm backup list web'");
    }

    @Test
    void a_bad_time_is_a_usage_error() throws IOException {
        CliRun run = mvmm(List.of("backup_path=" + dir.resolve("b")), "web", "--at", "yesterday");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("--at: 'yesterday' is not a time");
    }

    @Test
    void an_unsafe_vm_name_is_refused() throws IOException {
        CliRun run = mvmm(List.of("backup_path=" + dir.resolve("b")), "../etc");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("VM name '../etc' cannot be used");
    }
}
