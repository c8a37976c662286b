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
    void a_file_that_is_not_a_database_gives_a_clear_error() throws IOException {
        Path file = dir.resolve("mvmm.db");
        Files.writeString(file, "this is not sqlite, just some text that is long enough to be a header....");

        assertThatThrownBy(() -> StateStore.open(file)).isInstanceOf(StateException.class)
                .hasMessageContaining("cannot open the state database " + file);
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
}
