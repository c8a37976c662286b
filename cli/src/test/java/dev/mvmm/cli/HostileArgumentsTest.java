package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile VM names on the command line: every command that turns a VM name into a path or a
 * command line refuses them as a usage error (64) before it opens anything, and so does
 * {@code check}, where such a name can never be a configured VM (it said "create X.conf" before);
 * and no mvmm source runs a shell. docs/argument-safety.md has the full review.
 */
class HostileArgumentsTest {

    private static final Path TOP = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> HOSTILE = List.of("../etc", "..", ".", "a/b", "-x", "--help", "my vm",
            "a\nb", "$(reboot)", "web.20261121T135203Z", "restores", "x".repeat(201));

    @TempDir
    Path dir;

    @Test
    void commands_that_make_paths_or_command_lines_of_vm_names_refuse_hostile_ones() throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/mvmm.conf"), "backup_path=" + dir.resolve("backups") + "\n");
        List<List<String>> commands = List.of(List.of("check"), List.of("check", "--nagios"), List.of("backup"), List.of("backup", "list"), List.of("backup", "verify"),
                List.of("restore"), List.of("patch"), List.of("maintenance", "on"), List.of("stats"));
        for (List<String> command : commands) {
            for (String name : HOSTILE) {
                List<String> args = new ArrayList<>(command);
                args.addAll(List.of("--config-dir=" + dir.resolve("conf"), "--state=" + dir.resolve("state.db"),
                        "--", name));
                if (command.equals(List.of("restore"))) {
                    args.add(2, "--yes");
                }

                CliRun run = CliRun.of(args.toArray(String[]::new));

                assertThat(run.status()).as(args + ": " + run).isEqualTo(64);
                assertThat(run.err()).as(args.toString()).contains("cannot be used").doesNotContain("\n\tat ");
            }
        }
        assertThat(dir.resolve("state.db")).as("nothing was opened").doesNotExist();
        assertThat(dir.resolve("backups")).doesNotExist();
    }

    /** Every external program runs through ExternalCommand as an argument list; no source builds a shell. */
    @Test
    void no_source_runs_a_shell() throws IOException {
        Pattern shell = Pattern.compile("Runtime\\.getRuntime\\(\\)\\.exec|\"(/bin/|/usr/bin/)?(ba|da|z)?sh\""
                + "|\"-c\"\\s*,\\s*\"[^\"]*[ ;|&$]");
        Pattern processBuilder = Pattern.compile("new ProcessBuilder\\(");
        List<String> found = new ArrayList<>();
        for (Path sources : List.of(TOP.resolve("core/src/main/java"), TOP.resolve("cli/src/main/java"))) {
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                    String text = Files.readString(file);
                    Matcher matcher = shell.matcher(text);
                    while (matcher.find()) {
                        found.add(TOP.relativize(file) + ": " + matcher.group());
                    }
                    if (processBuilder.matcher(text).find() && !file.endsWith("JournalWriter.java")) {
                        found.add(TOP.relativize(file) + ": a ProcessBuilder outside ExternalCommand");
                    }
                }
            }
        }
        assertThat(found).isEmpty();
    }
}
