package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvmm backup verify} answers a script that asks whether a VM's backups are restorable: a VM
 * with nothing stored, or nowhere to store it, is a failure, never a silent success. (Chains that
 * exist are verified against real virtnbdrestore in RealVmBackupIT.)
 */
class BackupVerifyCommandTest {

    @TempDir
    Path dir;

    private CliRun verify(List<String> conf, String... vms) throws IOException {
        return CliRun.inDirectory(dir, conf, List.of("backup", "verify"), vms);
    }

    @Test
    void a_vm_without_any_stored_chain_fails_and_says_where_it_looked() throws IOException {
        Path backups = Files.createDirectories(dir.resolve("backups"));

        CliRun run = verify(List.of("backup_path=" + backups), "web");

        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("web: no stored chain in " + backups + "; see 'mvmm backup list web'"
                + System.lineSeparator());
        assertThat(run.err()).doesNotContain("\tat ");
    }

    @Test
    void a_missing_backup_directory_is_reported_the_same_way_and_not_created() throws IOException {
        Path backups = dir.resolve("nowhere");

        CliRun run = verify(List.of("backup_path=" + backups), "web", "db");

        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.out().lines()).containsExactly(
                "web: no stored chain in " + backups + "; see 'mvmm backup list web'",
                "db: no stored chain in " + backups + "; see 'mvmm backup list db'");
        assertThat(backups).doesNotExist();
    }

    @Test
    void without_a_backup_path_there_is_nothing_to_verify() throws IOException {
        CliRun run = verify(List.of(), "web");

        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("web: no backup_path configured" + System.lineSeparator());
    }
}
