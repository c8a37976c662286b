package dev.mvmm.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The man pages in {@code man/} and the completion in {@code completions/} are exactly what the
 * picocli model generates now. After changing a command, regenerate them with
 * {@code scripts/regenerate-docs} and commit the result.
 */
class DocsDriftTest {

    private static final Path TOP = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path fresh;

    @Test
    void committed_man_pages_and_completion_match_the_model() throws IOException {
        GenerateDocs.generate(fresh, false);

        List<String> generated = names(fresh.resolve("man"));
        assertThat(names(TOP.resolve("man"))).as("man/ holds one page per command; run scripts/regenerate-docs")
                .isEqualTo(generated);
        assertThat(generated).contains("mvmm.1", "mvmm-check.1", "mvmm-restore.1", "mvmm-replicate.1");
        for (String page : generated) {
            assertThat(Files.readString(TOP.resolve("man").resolve(page)))
                    .as("man/" + page + " is stale; run scripts/regenerate-docs")
                    .isEqualTo(Files.readString(fresh.resolve("man").resolve(page)));
        }
        assertThat(Files.readString(TOP.resolve("completions/mvmm")))
                .as("completions/mvmm is stale; run scripts/regenerate-docs")
                .isEqualTo(Files.readString(fresh.resolve("completions/mvmm")));
    }

    @Test
    void the_manual_documents_every_configuration_key_and_exit_status() throws IOException {
        GenerateDocs.generate(fresh, false);
        String manual = Files.readString(fresh.resolve("man/mvmm.1"));

        for (String key : dev.mvmm.core.config.Keys.all().keySet()) {
            assertThat(manual).as("key " + key).contains(key);
        }
        assertThat(manual).contains("EXIT STATUS").contains("75").contains("78");
    }

    @Test
    void the_readme_configuration_reference_lists_every_key() throws IOException {
        List<String> rows = Files.readAllLines(TOP.resolve("README.md")).stream().filter(l -> l.startsWith("| `"))
                .toList();

        for (String key : dev.mvmm.core.config.Keys.all().keySet()) {
            assertThat(rows).as("README.md's key table documents `" + key + "`")
                    .anyMatch(row -> row.split("\\|")[1].contains("`" + key + "`"));
        }
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".1")).sorted().toList();
        }
    }
}
