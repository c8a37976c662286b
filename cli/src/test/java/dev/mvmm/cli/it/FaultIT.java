package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults around the state database, with the real command as a process: what the operator sees on
 * stderr, and that the run carries on or stops as promised.
 */
class FaultIT {

    @TempDir
    Path dir;

    @BeforeAll
    static void testBed() {
        TestBed.require();
    }

    @BeforeEach
    void configuration() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=test:///default"));
        Files.write(dir.resolve("conf/test.conf"), List.of("action=none"));
    }

    private TestBed.Run check() {
        return TestBed.run(TestBed.mvmm("check", "--config-dir", dir.resolve("conf").toString(), "--state",
                dir.resolve("state.db").toString()), 60);
    }

    @Test
    void a_corrupt_state_database_is_moved_aside_said_so_and_the_check_carries_on() throws Exception {
        byte[] garbage = new byte[64 * 1024];
        new java.util.Random(11).nextBytes(garbage);
        Files.write(dir.resolve("state.db"), garbage);

        TestBed.Run run = check();

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.err()).contains("<3>").contains("state database " + dir.resolve("state.db") + " is damaged")
                .contains("moved aside to " + dir.resolve("state.db.damaged-")).doesNotContain("\tat ");
        assertThat(run.out()).containsPattern("test +running +healthy");
        try (var files = Files.list(dir)) {
            Path aside = files.filter(f -> f.getFileName().toString().startsWith("state.db.damaged-"))
                    .findFirst().orElseThrow();
            assertThat(Files.readAllBytes(aside)).isEqualTo(garbage);
        }
        assertThat(check().status()).isZero();
    }

    @Test
    void a_state_database_locked_by_another_process_stops_the_check_with_a_clear_error() throws Exception {
        assertThat(check().status()).isZero();
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("state.db"));
                Statement statement = other.createStatement()) {
            statement.execute("PRAGMA locking_mode = EXCLUSIVE");
            statement.execute("BEGIN EXCLUSIVE");
            statement.execute("INSERT INTO meta VALUES ('held', 'by FaultIT')");

            TestBed.Run run = check();

            assertThat(run.status()).as(run.toString()).isEqualTo(74);
            assertThat(run.err()).contains("is locked by another process").contains("nothing was done")
                    .doesNotContain("\tat ");
            statement.execute("ROLLBACK");
        }
        assertThat(check().status()).isZero();
    }
}
