package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No value mvmm passes to virsh, qemu-img, virtnbdbackup, virtnbdrestore, rsync or ssh can be read
 * as an option: each is attached to its option ({@code --domain=VALUE}) or follows {@code --}. The
 * values here begin with '-' on purpose; validation refuses most of them earlier, and this holds
 * even when it does not. docs/argument-safety.md says what was checked, command by command.
 */
class ArgumentSafetyTest {

    static final List<String> DASHED = List.of("-x", "--help", "-oProxyCommand=touch /tmp/pwned", "--metadata",
            "-", "--", "-rf /", "--output=/etc");

    @TempDir
    Path dir;

    /**
     * Builds the command once with a plain value and once with {@code value}: every argument that
     * changed carries the value, and must follow {@code --} or be {@code --option=value}.
     */
    static void neverAnOption(Function<String, List<String>> build, String value) {
        List<String> plain = build.apply("plain");
        List<String> hostile = build.apply(value);
        assertThat(hostile).as("same shape as " + plain).hasSameSizeAs(plain);
        int end = plain.indexOf("--");
        for (int i = 1; i < plain.size(); i++) {
            if (!plain.get(i).equals(hostile.get(i)) && !(end >= 0 && end < i)
                    && !(plain.get(i).matches("--[a-z-]+=.*") && hostile.get(i).startsWith(
                            plain.get(i).substring(0, plain.get(i).indexOf('=') + 1)))) {
                throw new AssertionError(value + " could be read as an option at position " + i + " of " + hostile);
            }
        }
    }

    @Test
    void virsh_takes_the_vm_and_the_checkpoint_attached_to_their_options() {
        for (String value : DASHED) {
            neverAnOption(v -> Tools.checkpointListCommand("qemu:///system", v), value);
            neverAnOption(v -> Tools.checkpointDeleteCommand("qemu:///system", v, v, true), value);
            neverAnOption(v -> Tools.checkpointDeleteCommand("qemu:///system", v, v, false), value);
        }
        assertThat(Tools.checkpointDeleteCommand("qemu:///system", "web", "virtnbdbackup.3", true)).containsExactly(
                "virsh", "--connect=qemu:///system", "checkpoint-delete", "--domain=web",
                "--checkpointname=virtnbdbackup.3", "--metadata");
    }

    @Test
    void virtnbdbackup_and_virtnbdrestore_take_every_value_attached() {
        Tools tools = new Tools("qemu:///system");
        for (String value : DASHED) {
            neverAnOption(v -> tools.virtnbdbackupCommand(v, "full", Path.of("/srv/backup", "web"), List.of()), value);
            neverAnOption(v -> tools.virtnbdrestoreCommand(Path.of(v), Path.of(v), v, v), value);
        }
        assertThat(tools.virtnbdbackupCommand("web", "inc", Path.of("/srv/b/web"), List.of("--compress")))
                .containsExactly("virtnbdbackup", "--uri=qemu:///system", "--domain=web", "--level=inc",
                        "--output=/srv/b/web", "--noprogress", "--compress");
    }

    @Test
    void qemu_img_takes_files_and_bitmaps_after_the_end_of_options() {
        for (String value : DASHED) {
            neverAnOption(Tools::imageInfoCommand, value);
            neverAnOption(v -> Tools.removeBitmapCommand(v, v), value);
            neverAnOption(v -> Tools.checkCommand(Path.of(v)), value);
            neverAnOption(v -> Tools.convertCommand(Path.of(v), Path.of(v), "qcow2"), value);
            neverAnOption(v -> Tools.compareCommand(Path.of(v), Path.of(v)), value);
        }
    }

    @Test
    void a_real_qemu_img_reads_a_file_named_like_an_option_as_a_file() throws Exception {
        assumeThat(Tools.available("qemu-img")).as("qemu-img installed").isTrue();
        Path image = dir.resolve("-x.qcow2");
        assertThat(run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "--", image.getFileName().toString(), "1M"))
                .isZero();
        List<String> info = new ArrayList<>(Tools.imageInfoCommand(image.getFileName().toString()));
        assertThat(run(dir, info.toArray(String[]::new))).isZero();
    }

    @Test
    void ssh_gets_the_login_after_the_end_of_its_options_and_the_remote_command_as_quoted_words() throws Exception {
        Remote remote = Remote.of("backup@nas.example:/srv/mvmm copies", List.of("-o", "ProxyJump=a b"), List.of(),
                null, false);
        List<String> words = List.of("rm", "-rf", "--", "/srv/mvmm copies/web.20261121T135203Z", "$(reboot)", "a'b",
                "`id`", "a\nb", "-x", "*");

        List<String> command = remote.command(words.toArray(String[]::new));

        assertThat(command.subList(0, 6)).containsExactly("ssh", "-o", "BatchMode=yes", "-o",
                "StrictHostKeyChecking=accept-new", "-o");
        assertThat(command.get(command.size() - 3)).isEqualTo("--");
        assertThat(command.get(command.size() - 2)).isEqualTo("backup@nas.example");
        assertThat(shellWords(command.get(command.size() - 1))).as("what the remote shell runs")
                .isEqualTo(words);
    }

    @Test
    void rsync_gets_its_paths_after_the_end_of_its_options() {
        Remote remote = Remote.of("backup@nas.example:/srv/mvmm", List.of(), List.of("--numeric-ids"), 100, true);
        Remote local = Remote.of("/mnt/nas", List.of(), List.of(), null, false);
        for (Remote each : List.of(remote, local)) {
            for (List<String> command : List.of(each.copyCommand(Path.of("/srv/b/web"), "web", "web.x"),
                    each.checkCommand(Path.of("/srv/b/web"), ".web.incoming"),
                    each.fetchCommand("web.20261121T135203Z", Path.of("/srv/b/.fetch-web")))) {
                int end = command.indexOf("--");
                assertThat(end).as(command.toString()).isEqualTo(command.size() - 3);
                assertThat(command.subList(0, end)).noneMatch(argument -> argument.startsWith("/srv")
                        || argument.startsWith("backup@") || argument.startsWith("/mnt"));
            }
        }
    }

    @Test
    void a_remote_path_whose_user_or_host_begins_with_a_dash_is_refused() {
        for (String destination : List.of("-oProxyCommand@host:/srv", "backup@-F:/srv", "backup@host")) {
            assertThatThrownBy(() -> Remote.of(destination, List.of(), List.of(), null, false))
                    .isInstanceOf(SyncException.class);
        }
    }

    private static int run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    /** The words a POSIX shell makes of a string of single-quoted words (the only quoting mvmm writes). */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int close = line.indexOf('\'', i + 1);
                word.append(line, i + 1, close);
                i = close;
                inWord = true;
            } else if (c == '\\') {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (c == ' ') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                throw new AssertionError("unquoted " + c + " in the remote command " + line);
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
