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
        return CliRun.inDirectory(dir, conf, List.of("restore"), args);
    }

    @Test
    void without_a_backup_path_it_says_so() throws IOException {
        CliRun run = mvmm(List.of(), "web");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("mvmm restore: web: no backup_path configured; set it in "
                + dir.resolve("conf/mvmm.conf") + System.lineSeparator());
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

    @Test
    void a_chain_that_is_not_one_of_the_vms_is_a_usage_error_and_nothing_is_touched() throws IOException {
        // Found by HostileNamesTest's review: --chain was appended to 'web.' unchecked, so
        // --chain ../../x named a folder outside backup_path (and, with --from-remote, a fetch folder
        // outside it that was written and then deleted).
        Files.createDirectories(dir.resolve("b"));
        for (String chain : List.of("../../x", "/../../x", "20260101T000000Z/../../..", "latest", "db.20260101T000000Z",
                "web.20260101T000000Z/..")) {
            CliRun run = mvmm(List.of("backup_path=" + dir.resolve("b")), "web", "--chain", chain, "--from-remote");

            assertThat(run.status()).as(chain).isEqualTo(64);
            assertThat(run.err()).contains("--chain: '" + chain + "' is neither 'current' nor an archived chain's "
                    + "time (20261121T135203Z) or name (web.20261121T135203Z)");
        }
        assertThat(dir.resolve("state.db")).doesNotExist();
    }

    @Test
    void a_disk_that_is_not_a_target_device_name_is_a_usage_error() throws IOException {
        for (String disk : List.of("-x", "-oX", "../vda", "vda b", "")) {
            CliRun run = mvmm(List.of("backup_path=" + dir.resolve("b")), "web", "--disk=" + disk);

            assertThat(run.status()).as(disk).isEqualTo(64);
            assertThat(run.err()).contains("is not a disk's target device name such as vda or sdb");
        }
    }

    @Test
    void in_place_off_a_terminal_needs_yes_and_nothing_is_touched() throws IOException {
        CliRun run = mvmm(List.of("backup_path=" + dir.resolve("b")), "web", "--in-place");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("--in-place replaces the live disks of web; not on a terminal, so add --yes");
        assertThat(dir.resolve("state.db")).doesNotExist();
    }

    @Test
    void contradictory_destinations_are_usage_errors() throws IOException {
        List<String> conf = List.of("backup_path=" + dir.resolve("b"));

        CliRun both = mvmm(conf, "web", "--in-place", "--yes", "--define", "web2");
        CliRun toAndInPlace = mvmm(conf, "web", "--in-place", "--to", "/tmp/x");
        CliRun discard = mvmm(conf, "web", "--discard-old");
        CliRun badName = mvmm(conf, "web", "--define", "a/b");

        assertThat(both.status()).isEqualTo(64);
        assertThat(both.err()).contains("--define and --in-place exclude each other");
        assertThat(toAndInPlace.status()).isEqualTo(64);
        assertThat(toAndInPlace.err()).contains("mutually exclusive");
        assertThat(discard.status()).isEqualTo(64);
        assertThat(discard.err()).contains("--discard-old only applies to --in-place");
        assertThat(badName.status()).isEqualTo(64);
        assertThat(badName.err()).contains("--define: VM name 'a/b' cannot be used");
    }

    @Test
    void without_a_vm_off_a_terminal_it_never_prompts() throws IOException {
        CliRun run = mvmm(List.of("backup_path=" + dir.resolve("b")));

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("Missing required parameter: 'VM' (run on a terminal to be asked)");
    }
}
