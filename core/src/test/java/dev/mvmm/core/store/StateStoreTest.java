package dev.mvmm.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

    @TempDir
    Path dir;

    @Test
    void creates_the_schema_at_the_current_version_in_wal_mode() {
        try (StateStore store = StateStore.open(dir.resolve("sub/dir/mvmm.db"))) {
            assertThat(store.schemaVersion()).isEqualTo(Migrations.STEPS.size());
            String mode = store.read("mode", connection -> {
                try (Statement statement = connection.createStatement();
                        ResultSet result = statement.executeQuery("PRAGMA journal_mode")) {
                    result.next();
                    return result.getString(1);
                }
            });
            assertThat(mode).isEqualTo("wal");
        }
    }

    @Test
    void reopening_keeps_the_data_and_does_not_migrate_again() {
        Path file = dir.resolve("mvmm.db");
        try (StateStore store = StateStore.open(file)) {
            new HealthRepository(store).save(VmHealth.fresh("web", Instant.parse("2026-01-01T00:00:00Z")));
        }
        try (StateStore store = StateStore.open(file)) {
            assertThat(new HealthRepository(store).load("web")).isPresent();
            assertThat(store.schemaVersion()).isEqualTo(Migrations.STEPS.size());
        }
    }

    @Test
    void refuses_a_database_from_a_newer_mvmm() {
        Path file = dir.resolve("mvmm.db");
        try (StateStore store = StateStore.open(file)) {
            store.read("bump", connection -> {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("PRAGMA user_version = 999");
                }
                return null;
            });
        }
        assertThatThrownBy(() -> StateStore.open(file)).isInstanceOf(StateException.class)
                .hasMessageContaining("newer than this mvmm");
    }

    @Test
    void a_file_that_is_not_a_database_is_moved_aside_and_a_new_one_started() throws IOException {
        Path file = dir.resolve("mvmm.db");
        String garbage = "this is not sqlite, just some text that is long enough to be a header....";
        Files.writeString(file, garbage);

        try (StateStore store = StateStore.open(file)) {
            assertThat(store.schemaVersion()).isEqualTo(Migrations.STEPS.size());
        }

        try (var files = Files.list(dir)) {
            Path aside = files.filter(f -> f.getFileName().toString().startsWith("mvmm.db.damaged-")).findFirst()
                    .orElseThrow();
            assertThat(Files.readString(aside)).isEqualTo(garbage);
        }
    }

    @Test
    void a_database_found_damaged_during_work_is_moved_aside_by_the_next_open() throws Exception {
        Path file = dir.resolve("mvmm.db");
        try (StateStore store = StateStore.open(file)) {
            new HealthRepository(store).save(VmHealth.fresh("web", Instant.now()));
            StateException error = store.failure("read", new org.sqlite.SQLiteException("database disk image is "
                    + "malformed", org.sqlite.SQLiteErrorCode.SQLITE_CORRUPT));
            assertThat(error).hasMessageContaining("the next mvmm run moves it aside");
        }

        try (StateStore store = StateStore.open(file)) {
            assertThat(new HealthRepository(store).load("web")).isEmpty();
        }
        assertThat(StateStore.damagedMarker(file)).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(f -> f.startsWith("mvmm.db.damaged-"));
        }
    }

    @Test
    void a_database_locked_by_another_process_is_a_clear_error_that_names_it() throws Exception {
        Path file = dir.resolve("mvmm.db");
        StateStore.open(file).close();
        try (java.sql.Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = other.createStatement()) {
            statement.execute("PRAGMA locking_mode = EXCLUSIVE");
            statement.execute("BEGIN EXCLUSIVE");
            statement.execute("INSERT INTO meta VALUES ('held', 'by a test')");

            assertThatThrownBy(() -> StateStore.open(file, 300)).isInstanceOf(StateException.class)
                    .hasMessageContaining("is locked by another process").hasMessageContaining("fuser -v " + file)
                    .hasMessageContaining("nothing was done");
            statement.execute("ROLLBACK");
        }
        assertThat(file).exists();
    }

    @Test
    void concurrent_writers_on_separate_connections_lose_nothing() throws Exception {
        Path file = dir.resolve("mvmm.db");
        StateStore.open(file).close();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> writers = new ArrayList<>();
        for (int writer = 0; writer < 4; writer++) {
            int id = writer;
            writers.add(pool.submit(() -> {
                try (StateStore store = StateStore.open(file)) {
                    HealthRepository repository = new HealthRepository(store);
                    for (int i = 0; i < 50; i++) {
                        repository.save(List.of(VmHealth.fresh("vm" + id + "-" + i, Instant.now())),
                                List.of(new HealthRepository.Transition("vm" + id, Instant.now(), Availability.UP,
                                        null)), List.of());
                    }
                }
                return null;
            }));
        }
        for (Future<?> writer : writers) {
            writer.get();
        }
        pool.shutdown();
        try (StateStore store = StateStore.open(file)) {
            assertThat(new HealthRepository(store).loadAll()).hasSize(200);
        }
    }

    @Test
    void a_new_database_and_its_journal_are_readable_by_their_owner_only() throws Exception {
        Path file = dir.resolve("mvmm.db");
        try (StateStore store = StateStore.open(file)) {
            new HealthRepository(store).save(VmHealth.fresh("web", Instant.now()));
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            Path wal = dir.resolve("mvmm.db-wal");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(wal)))
                    .isEqualTo("rw-------");
        }
    }
}
