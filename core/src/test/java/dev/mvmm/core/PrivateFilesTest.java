package dev.mvmm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {

    @TempDir
    Path dir;

    @Test
    void directories_it_creates_are_owner_only_and_existing_ones_are_left_alone() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path chain = dir.resolve("backups/web");

        PrivateFiles.createDirectories(chain);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("backups"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(chain))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwxr-xr-x");
        assertThat(PrivateFiles.openToOthers(dir)).isTrue();
        assertThat(PrivateFiles.openToOthers(chain)).isFalse();
    }
}
