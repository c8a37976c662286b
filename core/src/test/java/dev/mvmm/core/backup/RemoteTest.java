package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mvmm.core.exec.Programs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteTest {

    @TempDir
    Path dir;

    @Nested
    class Ssh {

        @Test
        void ssh_opts_override_the_defaults_instead_of_coming_after_them() {
            Remote remote = Remote.of("root@nas:/backups", List.of("-o", "StrictHostKeyChecking=yes", "-o",
                    "ConnectTimeout=30"), List.of(), null, false);

            List<String> command = remote.command("ls");

            assertThat(command).contains("StrictHostKeyChecking=yes", "ConnectTimeout=30", "BatchMode=yes")
                    .doesNotContain("StrictHostKeyChecking=accept-new", "ConnectTimeout=10");
            assertThat(command.subList(command.size() - 3, command.size())).containsExactly("--", "root@nas", "'ls'");
            assertThat(rsyncShell(remote.copyCommand(dir, "web", null))).contains("-o ConnectTimeout=30")
                    .doesNotContain("ConnectTimeout=10");
        }

        private String rsyncShell(List<String> command) {
            return command.get(command.indexOf("-e") + 1);
        }
    }

    @Nested
    class Rsync {

        @Test
        void copy_and_check_both_carry_the_checksum_and_bandwidth_options() {
            Remote remote = Remote.of("root@nas:/backups", List.of(), List.of("--sparse"), 500, true);

            assertThat(remote.copyCommand(dir, ".web.incoming", "web")).containsSequence("rsync", "-a", "--delete",
                    "--link-dest=/backups/web", "--sparse", "--bwlimit=500", "--checksum");
            assertThat(remote.checkCommand(dir, ".web.incoming")).contains("--sparse", "--checksum", "--dry-run")
                    .endsWith(dir + "/", "root@nas:/backups/.web.incoming/");
        }

        @Test
        void the_check_prints_marked_items_last_and_never_runs_quiet() {
            Remote remote = Remote.of("/mnt/nas", List.of(), List.of("-v", "--stats", "-q", "--quiet", "-aqz",
                    "--out-format=%n", "-T/tmp/q"), null, false);

            List<String> check = remote.checkCommand(dir, "web");

            assertThat(check).doesNotContain("-q", "--quiet", "-aqz").contains("-v", "--stats", "-az", "-T/tmp/q");
            assertThat(check.indexOf("--out-format=mvmm-check %i %n%L"))
                    .isGreaterThan(check.indexOf("--out-format=%n"));
        }

        @Test
        void quiet_is_removed_only_where_it_is_an_option() {
            assertThat(Remote.withoutQuiet(List.of("-q", "-vq", "-Bq", "-e", "ssh -q", "--quiet", "--qux")))
                    .containsExactly("-v", "-Bq", "-e", "ssh -q", "--qux");
        }
    }

    @Nested
    class Differences {

        @Test
        void verbose_rsync_args_do_not_make_an_exact_copy_differ_and_a_real_difference_is_found() throws IOException {
            assumeTrue(Programs.onPath("rsync"));
            Path local = chain("a", "b");
            Remote remote = Remote.of(dir.resolve("remote").toString(), List.of(), List.of("-v", "--stats",
                    "--progress", "--info=flist2,stats2"), null, false);
            Files.createDirectories(dir.resolve("remote"));
            assertThat(remote.copy(local, "web", null).succeeded()).isTrue();

            assertThat(remote.differences(local, "web")).isEmpty();

            Files.writeString(local.resolve("b"), "longer than before");
            Files.writeString(dir.resolve("remote/web/stale"), "x");
            // The directory's time may differ too (the stale file changed it): that is a difference as well.
            assertThat(remote.differences(local, "web")).anyMatch(d -> d.endsWith(" b"))
                    .anyMatch(d -> d.startsWith("*deleting") && d.endsWith("stale"));
        }

        @Test
        void a_quiet_rsync_still_sees_a_difference() throws IOException {
            assumeTrue(Programs.onPath("rsync"));
            Path local = chain("a");
            Remote remote = Remote.of(dir.resolve("remote").toString(), List.of(), List.of("-q"), null, false);
            Files.createDirectories(dir.resolve("remote/web"));

            assertThat(remote.differences(local, "web")).anyMatch(d -> d.startsWith(">f+++++++++ a"));
        }

        @Test
        void unchanged_items_listed_at_double_verbosity_are_no_difference() throws IOException {
            assumeTrue(Programs.onPath("rsync"));
            Path local = chain("a", "b");
            Remote remote = Remote.of(dir.resolve("remote").toString(), List.of(), List.of("-vv"), null, false);
            Files.createDirectories(dir.resolve("remote"));
            assertThat(remote.copy(local, "web", null).succeeded()).isTrue();

            assertThat(remote.differences(local, "web")).isEmpty();
        }

        @Test
        void with_remote_checksum_a_same_size_same_time_change_is_found() throws IOException {
            assumeTrue(Programs.onPath("rsync"));
            Path local = chain("a");
            Remote plain = Remote.of(dir.resolve("remote").toString(), List.of(), List.of(), null, false);
            Files.createDirectories(dir.resolve("remote"));
            assertThat(plain.copy(local, "web", null).succeeded()).isTrue();
            Path copy = dir.resolve("remote/web/a");
            var time = Files.getLastModifiedTime(copy);
            Files.writeString(copy, "A");
            Files.setLastModifiedTime(copy, time);

            assertThat(plain.differences(local, "web")).isEmpty();
            assertThat(Remote.of(dir.resolve("remote").toString(), List.of(), List.of(), null, true)
                    .differences(local, "web")).hasSize(1);
        }

        @Test
        void a_chain_whose_content_cannot_be_read_is_an_error_not_a_chain_without_a_full_backup() throws IOException {
            Path remoteDir = Files.createDirectories(dir.resolve("remote"));
            Remote remote = Remote.of(remoteDir.toString(), List.of(), List.of(), null, false);
            Files.createDirectories(remoteDir.resolve("web"));
            Files.writeString(remoteDir.resolve("web/vda.full.data"), "data");
            assertThat(remote.fingerprint("web")).startsWith("vda.full.data 4 ");

            // As when the ssh that reads it is killed: the command fails.
            Files.delete(remoteDir.resolve("web/vda.full.data"));
            Files.delete(remoteDir.resolve("web"));

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> remote.fingerprint("web"))
                    .isInstanceOf(SyncException.class).hasMessageContaining("cannot read which chain");
        }

        private Path chain(String... files) throws IOException {
            Path local = dir.resolve("local");
            Files.createDirectories(local);
            for (String file : files) {
                Files.writeString(local.resolve(file), file);
            }
            return local;
        }
    }
}
