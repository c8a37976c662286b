package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {

    @TempDir
    Path dir;

    private static BackupSettings settings(Integer maxChains, Retention.Policy keep) {
        return new BackupSettings(null, maxChains, keep, null, List.of(), false, false, false, null, null);
    }

    @Test
    void archive_names_are_iso_8601_and_retention_touches_only_matching_folders() throws IOException {
        Instant start = Instant.parse("2026-01-01T03:00:00Z");
        for (int i = 0; i < 40; i++) {
            Files.createDirectories(dir.resolve("web"));
            Files.writeString(dir.resolve("web/web.cpt"), "[\"virtnbdbackup.0\"]");
            Path archived = Archives.archive(dir.resolve("web"), start.plus(Duration.ofDays(i)));
            assertThat(archived.getFileName().toString()).matches("web\\.2026\\d{4}T030000Z");
        }
        Files.createDirectories(dir.resolve("web.keep-forever"));
        Files.createDirectories(dir.resolve("webserver.20260101T000000Z"));

        List<String> dry = Archives.prune(dir, "web", settings(null, new Retention.Policy(2, 5, null, null, null)),
                ZoneOffset.UTC, true);
        assertThat(dry).hasSize(33);
        assertThat(Archives.list(dir, "web")).hasSize(40);

        List<String> removed = Archives.prune(dir, "web", settings(null, new Retention.Policy(2, 5, null, null,
                null)), ZoneOffset.UTC, false);

        assertThat(removed).isEqualTo(dry);
        assertThat(Archives.list(dir, "web")).extracting(Retention.Item::name).containsExactly(
                "web.20260203T030000Z", "web.20260204T030000Z", "web.20260205T030000Z", "web.20260206T030000Z",
                "web.20260207T030000Z", "web.20260208T030000Z", "web.20260209T030000Z");
        assertThat(dir.resolve("web.keep-forever")).isDirectory();
        assertThat(dir.resolve("webserver.20260101T000000Z")).isDirectory();
    }

    @Test
    void max_chains_zero_keeps_no_archive() throws IOException {
        Files.createDirectories(dir.resolve("db"));
        Archives.archive(dir.resolve("db"), Instant.parse("2026-01-01T00:00:00Z"));

        Archives.prune(dir, "db", settings(0, new Retention.Policy(null, null, null, null, null)), ZoneOffset.UTC,
                false);

        assertThat(Archives.list(dir, "db")).isEmpty();
    }

    @Test
    void a_chain_is_renamed_before_it_is_deleted_and_a_cut_off_deletion_is_finished_next_time() throws IOException {
        Files.createDirectories(dir.resolve("web/checkpoints"));
        Files.writeString(dir.resolve("web/web.cpt"), "[\"virtnbdbackup.0\"]");
        Path archived = Archives.archive(dir.resolve("web"), Instant.parse("2026-01-01T00:00:00Z"));
        // What a run killed in the middle of deleting it leaves: part of the chain, under the hidden name.
        Path cutOff = dir.resolve(".web.20251231T000000Z.deleting");
        Files.createDirectories(cutOff.resolve("checkpoints"));
        Files.createDirectories(dir.resolve(".webserver.deleting"));

        assertThat(Archives.list(dir, "web")).extracting(Retention.Item::name)
                .containsExactly(archived.getFileName().toString());
        assertThat(Archives.finishDeletions(dir, "web")).containsExactly(".web.20251231T000000Z.deleting");
        Archives.discard(archived);

        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("another VM's is not touched")
                    .containsExactly(".webserver.deleting");
        }
    }
}
