package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mvmm backup list --remote} on a local remote_path (a mounted NAS). */
class BackupListCommandTest {

    @TempDir
    Path dir;

    private CliRun list(List<String> conf, String... args) throws IOException {
        return CliRun.inDirectory(dir, conf, List.of("backup", "list"), args);
    }

    @Test
    void the_remote_needs_only_a_remote_path() throws IOException {
        Files.createDirectories(dir.resolve("offsite/web"));
        Files.createDirectories(dir.resolve("offsite/web.20260101T030000Z"));

        CliRun run = list(List.of("remote_path=" + dir.resolve("offsite")), "--remote", "web");

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).doesNotContain("backup_path")
                .contains("web: " + dir.resolve("offsite") + ": web (")
                .contains("web: " + dir.resolve("offsite") + ": web.20260101T030000Z (");
    }

    @Test
    void a_chain_a_cut_off_switch_left_hidden_is_shown_with_where_it_is() throws IOException {
        Files.createDirectories(dir.resolve("offsite/.web.new"));
        Files.createDirectories(dir.resolve("offsite/.web.old"));
        Files.createDirectories(dir.resolve("offsite/.web.incoming"));

        CliRun run = list(List.of("remote_path=" + dir.resolve("offsite")), "--remote", "web");

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out().lines()).singleElement().asString()
                .startsWith("web: " + dir.resolve("offsite") + ": web (")
                .contains("held as .web.new after a cut-off switch, put back in place by the next sync");
    }

    @Test
    void the_local_list_still_asks_for_a_backup_path() throws IOException {
        CliRun run = list(List.of("remote_path=" + dir.resolve("offsite")), "web");

        assertThat(run.out()).isEqualTo("web: no backup_path configured" + System.lineSeparator());
    }
}
