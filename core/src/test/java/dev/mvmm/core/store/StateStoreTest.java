package dev.mvmm.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    /** A database as an older mvmm left it: the first {@code version} steps, and that user_version. */
    private static void createAtVersion(Path file, int version, String... rows) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            for (String[] step : Migrations.STEPS.subList(0, version)) {
                for (String sql : step) {
                    statement.execute(sql);
                }
            }
            for (String row : rows) {
                statement.execute(row);
            }
            statement.execute("PRAGMA user_version = " + version);
        }
    }

    private static final Instant HELD = Instant.parse("2026-03-01T10:00:00Z");

    private static final String[] VERSION_1_ROWS = {
        "INSERT INTO vm_health (vm, availability, verdict, detail, run_id, checked_at, failing_since, hold_since,"
                + " hold_reason, last_action, last_action_at, last_action_result, latency_us) VALUES ('web', 'DOWN',"
                + " 'hold', 'port 80 refused', '7', " + HELD.toEpochMilli() + ", "
                + HELD.minusSeconds(600).toEpochMilli() + ", " + HELD.toEpochMilli() + ", '3 actions within 1h',"
                + " 'rebooted', " + HELD.minusSeconds(60).toEpochMilli() + ", 'ok', 1500)",
        "INSERT INTO actions (vm, at, action, result, detail) VALUES ('web', " + HELD.minusSeconds(60).toEpochMilli()
                + ", 'rebooted', 'ok', 'port 80 refused')",
        "INSERT INTO transitions (vm, at, availability, detail) VALUES ('web', " + HELD.minusSeconds(600)
                .toEpochMilli() + ", 'DOWN', 'port 80 refused')",
        "INSERT INTO maintenance (scope, since, until, reason) VALUES ('*', " + HELD.toEpochMilli() + ", NULL,"
                + " 'host upgrade')"
    };

    @Test
    void a_version_1_database_is_migrated_to_the_current_version_with_its_rows_intact() throws Exception {
        Path file = dir.resolve("mvmm.db");
        createAtVersion(file, 1, VERSION_1_ROWS);

        try (StateStore store = StateStore.open(file)) {
            assertThat(store.schemaVersion()).isEqualTo(Migrations.STEPS.size());
            HealthRepository health = new HealthRepository(store);
            VmHealth web = health.load("web").orElseThrow();
            assertThat(web.availability()).isEqualTo(Availability.DOWN);
            assertThat(web.detail()).isEqualTo("port 80 refused");
            assertThat(web.failingSince()).isEqualTo(HELD.minusSeconds(600));
            assertThat(web.hold()).isEqualTo(new VmHealth.Hold(HELD, "3 actions within 1h"));
            assertThat(web.lastAction()).isEqualTo(new VmHealth.LastAction("rebooted", HELD.minusSeconds(60), "ok"));
            assertThat(web.runStartedAt()).as("added by step 2").isNull();
            assertThat(health.actions("web")).containsExactly(new HealthRepository.ActionRecord("web",
                    HELD.minusSeconds(60), "rebooted", "ok", "port 80 refused"));
            assertThat(health.transitions("web")).containsExactly(new HealthRepository.Transition("web",
                    HELD.minusSeconds(600), Availability.DOWN, "port 80 refused"));
            assertThat(new MaintenanceRepository(store).all()).containsExactly(new MaintenanceRepository.Window(
                    MaintenanceRepository.GLOBAL, HELD, null, "host upgrade"));
            assertThat(count(store, "daily")).as("table of step 3").isZero();
            assertThat(count(store, "backups")).as("table of step 3").isZero();
        }
    }

    @Test
    void a_version_2_database_gets_only_the_later_steps() throws Exception {
        Path file = dir.resolve("mvmm.db");
        createAtVersion(file, 2, "INSERT INTO vm_health (vm, availability, verdict, checked_at, run_started_at)"
                + " VALUES ('db', 'UP', 'healthy', " + HELD.toEpochMilli() + ", " + HELD.minusSeconds(3600)
                .toEpochMilli() + ")");

        try (StateStore store = StateStore.open(file)) {
            assertThat(store.schemaVersion()).isEqualTo(Migrations.STEPS.size());
            VmHealth db = new HealthRepository(store).load("db").orElseThrow();
            assertThat(db.availability()).isEqualTo(Availability.UP);
            assertThat(db.runStartedAt()).isEqualTo(HELD.minusSeconds(3600));
            assertThat(count(store, "meta")).isZero();
        }
    }

    @Test
    void a_version_3_database_gets_monthly_sums_of_its_daily_totals() throws Exception {
        Path file = dir.resolve("mvmm.db");
        java.time.LocalDate first = java.time.LocalDate.parse("2026-01-15");
        List<String> rows = new java.util.ArrayList<>();
        long up = 0;
        long down = 0;
        int reboots = 0;
        java.time.LocalDate from = java.time.LocalDate.parse("2026-01-20");
        java.time.LocalDate to = java.time.LocalDate.parse("2026-04-05");
        for (int i = 0; i < 86; i++) {
            java.time.LocalDate day = first.plusDays(i);
            String actions = i % 10 == 0 ? "reboot=1" : i == 55 ? "hold=1;reboot=2" : "";
            rows.add("INSERT INTO daily VALUES ('web', " + day.toEpochDay() + ", " + i * 1000 + ", 10, 0, 0, 0, 0, 1,"
                    + " 1, 5, '" + actions + "', 0)");
            if (!day.isBefore(from) && day.isBefore(to)) {
                up += i * 1000;
                down += 10;
                reboots += i % 10 == 0 ? 1 : i == 55 ? 2 : 0;
            }
        }
        createAtVersion(file, 3, rows.toArray(String[]::new));

        try (StateStore store = StateStore.open(file)) {
            assertThat(count(store, "monthly")).isEqualTo(4);
            dev.mvmm.core.stats.StatsRepository stats = new dev.mvmm.core.stats.StatsRepository(store);
            var folded = stats.folded(from.atStartOfDay(java.time.ZoneOffset.UTC).toInstant(), to);
            var sums = folded.sums().get("web");
            assertThat(sums.of(Availability.UP).toMillis()).isEqualTo(up);
            assertThat(sums.of(Availability.DOWN).toMillis()).isEqualTo(down);
            assertThat(sums.outages()).isEqualTo(to.toEpochDay() - from.toEpochDay());
            assertThat(folded.actions().get("web")).containsEntry("reboot", reboots)
                    .containsEntry("hold", 1);
        }
    }

    private static int count(StateStore store, String table) {
        return store.read("count", connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table)) {
                result.next();
                return result.getInt(1);
            }
        });
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
