package dev.mvmm.core.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.sqlite.SQLiteConfig;

/**
 * The SQLite state database: opened in WAL mode with a busy timeout, so that {@code check},
 * {@code monitor} and {@code backup} processes can share it; migrated to the current schema on
 * open. One connection per process, used under this object's monitor.
 */
public final class StateStore implements AutoCloseable {

    private static final int BUSY_TIMEOUT_MS = 15_000;

    private final Path path;
    private final Connection connection;

    private StateStore(Path path, Connection connection) {
        this.path = path;
        this.connection = connection;
    }

    public static StateStore open(Path path) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new StateException("cannot create the directory of the state database " + path + ": "
                    + e.getMessage() + "; create it or choose another file with --state or MVMM_STATE", e);
        }
        try {
            Properties properties = new Properties();
            properties.setProperty("busy_timeout", Integer.toString(BUSY_TIMEOUT_MS));
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path, properties);
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
                // Only takes effect on a new, empty database: lets history compaction give pages back.
                statement.execute("PRAGMA auto_vacuum = INCREMENTAL");
                statement.execute("PRAGMA journal_mode = WAL");
                statement.execute("PRAGMA synchronous = NORMAL");
            }
            StateStore store = new StateStore(path, connection);
            store.migrate();
            return store;
        } catch (SQLException e) {
            throw new StateException("cannot open the state database " + path + ": " + e.getMessage()
                    + "; check its permissions, or move it aside if it is damaged", e);
        }
    }

    public Path path() {
        return path;
    }

    /** The schema version this database is at. */
    public synchronized int schemaVersion() {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("PRAGMA user_version")) {
            return result.next() ? result.getInt(1) : 0;
        } catch (SQLException e) {
            throw failure("read the schema version", e);
        }
    }

    /**
     * A number that changes whenever another connection (another mvmm process) has committed to
     * the database since this one last asked; this connection's own commits leave it alone.
     */
    public synchronized long dataVersion() {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("PRAGMA data_version")) {
            return result.next() ? result.getLong(1) : 0;
        } catch (SQLException e) {
            throw failure("read the data version", e);
        }
    }

    private void migrate() throws SQLException {
        int current = schemaVersion();
        if (current > Migrations.STEPS.size()) {
            throw new SQLException("database schema " + current + " is newer than this mvmm ("
                    + Migrations.STEPS.size() + "); upgrade mvmm");
        }
        if (current == Migrations.STEPS.size()) {
            return;
        }
        // IMMEDIATE takes the write lock first, so two processes never migrate at once.
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                int version = schemaVersion();
                if (version > Migrations.STEPS.size()) {
                    throw new SQLException("database schema " + version + " is newer than this mvmm ("
                            + Migrations.STEPS.size() + "); upgrade mvmm");
                }
                for (int step = version; step < Migrations.STEPS.size(); step++) {
                    for (String sql : Migrations.STEPS.get(step)) {
                        statement.execute(sql);
                    }
                }
                statement.execute("PRAGMA user_version = " + Migrations.STEPS.size());
                statement.execute("COMMIT");
            } catch (SQLException e) {
                statement.execute("ROLLBACK");
                throw e;
            }
        }
    }

    /** Work done in one transaction, with the connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one immediate transaction; all of it lands, or none. */
    public synchronized <T> T transaction(String what, Work<T> work) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                T result = work.run(connection);
                statement.execute("COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                statement.execute("ROLLBACK");
                throw e;
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs a read. */
    public synchronized <T> T read(String what, Work<T> work) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * Runs a read on a connection of its own, opened for it and closed after it, outside this object's
     * monitor: so that a second thread can read while the first uses the main connection (WAL lets
     * readers run side by side). Costs an open, a few milliseconds; worth it for long reads only.
     */
    public <T> T readAside(String what, Work<T> work) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        try (Connection reader = config.createConnection("jdbc:sqlite:" + path)) {
            return work.run(reader);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Returns free pages to the file system (after history was folded away). */
    public synchronized void reclaimSpace() {
        try (Statement statement = connection.createStatement()) {
            // The pragma frees pages as it is stepped; executeUpdate steps it to the end.
            statement.executeUpdate("PRAGMA incremental_vacuum");
            statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            throw failure("reclaim free space", e);
        }
    }

    StateException failure(String what, SQLException e) {
        return new StateException("state database " + path + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing flushes nothing that a committed transaction has not already written.
        }
    }
}
