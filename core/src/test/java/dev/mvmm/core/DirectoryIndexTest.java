package dev.mvmm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryIndexTest {

    @TempDir
    Path dir;

    @Test
    void follows_entries_created_and_deleted_and_a_directory_that_comes_and_goes() throws Exception {
        Path folder = dir.resolve("power");
        DirectoryIndex index = new DirectoryIndex(folder, Duration.ZERO);
        assertThat(index.mayContain("web.json")).as("no directory yet").isFalse();

        Files.createDirectory(folder);
        Files.writeString(folder.resolve("web.json"), "{}");
        assertThat(index.mayContain("web.json")).isTrue();
        assertThat(index.mayContain("db.json")).isFalse();

        Files.delete(folder.resolve("web.json"));
        assertThat(index.mayContain("web.json")).isFalse();
        Files.delete(folder);
        assertThat(index.mayContain("web.json")).isFalse();
    }

    @Test
    void a_settled_directory_is_listed_again_only_when_its_time_changes() throws Exception {
        DirectoryIndex index = new DirectoryIndex(dir, Duration.ZERO);
        FileTime settled = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(dir, settled);
        assertThat(index.mayContain("web.json")).isFalse();

        Files.writeString(dir.resolve("web.json"), "{}");
        Files.setLastModifiedTime(dir, settled);
        assertThat(index.mayContain("web.json")).as("the time stayed: not listed again").isFalse();

        Files.setLastModifiedTime(dir, FileTime.from(Instant.now()));
        assertThat(index.mayContain("web.json")).isTrue();
    }

    @Test
    void a_directory_changed_within_the_last_second_is_listed_at_every_look() throws Exception {
        DirectoryIndex index = new DirectoryIndex(dir, Duration.ZERO);
        Files.writeString(dir.resolve("db.json"), "{}");
        FileTime recent = Files.getLastModifiedTime(dir);
        assertThat(index.mayContain("web.json")).isFalse();

        // As if the file system's clock had not ticked between the two changes.
        Files.writeString(dir.resolve("web.json"), "{}");
        Files.setLastModifiedTime(dir, recent);
        assertThat(index.mayContain("web.json")).isTrue();
    }

    @Test
    void answers_from_its_last_look_until_the_interval_has_passed() throws Exception {
        DirectoryIndex index = new DirectoryIndex(dir, Duration.ofHours(1));
        assertThat(index.mayContain("web.json")).isFalse();
        Files.writeString(dir.resolve("web.json"), "{}");
        assertThat(index.mayContain("web.json")).as("looked at an hour from now at the earliest").isFalse();
    }

    @Test
    void a_directory_it_cannot_list_may_hold_any_name() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("power"), "");
        assertThat(new DirectoryIndex(notADirectory, Duration.ZERO).mayContain("web.json")).isTrue();
    }
}
