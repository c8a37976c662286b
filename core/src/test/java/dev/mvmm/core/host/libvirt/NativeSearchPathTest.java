package dev.mvmm.core.host.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeSearchPathTest {

    @TempDir
    Path dir;

    @Test
    void the_loaders_directories_come_first_then_the_standard_ones_and_only_those_that_exist() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("multiarch"));
        Files.write(dir.resolve("arch.conf"), List.of("# Multiarch support", lib.toString(), "/no/such/dir",
                "include /etc/elsewhere/*.conf"));

        assertThat(NativeSearchPath.directories(dir)).first().isEqualTo(lib.toString());
        assertThat(NativeSearchPath.directories(dir)).doesNotContain("/no/such/dir").contains("/usr/lib")
                .allMatch(path -> Files.isDirectory(Path.of(path)));
    }

    @Test
    void an_unreadable_configuration_still_gives_the_standard_directories() {
        assertThat(NativeSearchPath.directories(dir.resolve("missing"))).contains("/usr/lib");
    }
}
