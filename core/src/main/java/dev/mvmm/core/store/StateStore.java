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
import dev.mvmm.core.config.Durations;
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

    /**
     * Opens (creating it if need be) and migrates the database. A damaged one (not a database, or
     * corrupt, now or as marked by an earlier run) is moved aside with its journal and a new one
     * started, with an error in the log: health history starts afresh, while backups are described
     * by their folders in {@code backup_path} and lose nothing. A database locked by another process
     * beyond the busy timeout is a clear error, never a silent wait.
     */
    public static StateStore open(Path path) {
        return open(path, BUSY_TIMEOUT_MS);
    }

    /** {@link #open(Path)} with another busy timeout (tests). */
    static StateStore open(Path path, int busyTimeoutMs) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new StateException("cannot create the directory of the state database " + path + ": "
                    + e.getMessage() + "; create it or choose another file with --state or MVMM_STATE", e);
        }
        Path marker = damagedMarker(path);
        if (Files.exists(marker)) {
            moveAside(path, "an earlier mvmm run found it damaged");
        }
        try {
            return connect(path, busyTimeoutMs);
        } catch (SQLException e) {
            if (isDamage(e)) {
                moveAside(path, e.getMessage());
                try {
                    return connect(path, busyTimeoutMs);
                } catch (SQLException again) {
                    throw cannotOpen(path, again, busyTimeoutMs);
                }
            }
            throw cannotOpen(path, e, busyTimeoutMs);
        }
    }

    private static StateStore connect(Path path, int busyTimeoutMs) throws SQLException {
        createPrivately(path);
        Properties properties = new Properties();
        properties.setProperty("busy_timeout", Integer.toString(busyTimeoutMs));
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path, properties);
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA busy_timeout = " + busyTimeoutMs);
                // Only takes effect on a new, empty database: lets history compaction give pages back.
                statement.execute("PRAGMA auto_vacuum = INCREMENTAL");
                statement.execute("PRAGMA journal_mode = WAL");
                statement.execute("PRAGMA synchronous = NORMAL");
            }
            StateStore store = new StateStore(path, connection);
            store.migrate();
            return store;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * A new database starts as an empty file readable by its owner only (health history names the
     * host's VMs and what happened to them); SQLite gives its journal files the same mode.
     */
    private static void createPrivately(Path path) {
        if (Files.exists(path)) {
            return;
        }
        try {
            Files.createFile(path, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // Another process made it first.
        } catch (IOException | UnsupportedOperationException e) {
            // SQLite creates it then, with its own mode, or reports why it cannot.
        }
    }

    private static StateException cannotOpen(Path path, SQLException e, int busyTimeoutMs) {
        if (isBusy(e)) {
            return new StateException("the state database " + path + " is locked by another process (waited "
                    + Durations.format(java.time.Duration.ofMillis(busyTimeoutMs)) + "); nothing was done. 'fuser -v " + path + "' shows which process;"
                    + " let it finish, or stop it", e);
        }
        return new StateException("cannot open the state database " + path + ": " + e.getMessage()
                + "; check its permissions and free space", e);
    }

    /** SQLite's primary result code (extended codes carry it in the low byte). */
    private static int resultCode(SQLException e) {
        return e.getErrorCode() & 0xff;
    }

    static boolean isDamage(SQLException e) {
        int code = resultCode(e);
        return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
    }

    private static boolean isBusy(SQLException e) {
        int code = resultCode(e);
        return code == SQLITE_BUSY || code == SQLITE_LOCKED;
    }

    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_NOTADB = 26;

    /** A file beside the database that tells the next run to move the database aside. */
    static Path damagedMarker(Path path) {
        return path.resolveSibling(path.getFileName() + ".damaged");
    }

    /**
     * Renames the database, and its write-ahead log, to {@code <name>.damaged-<UTC time>}; another
     * process may have done it first, which is as good.
     */
    private static void moveAside(Path path, String why) {
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        Path aside = path.resolveSibling(path.getFileName() + ".damaged-" + stamp);
        try {
            if (Files.exists(path)) {
                Files.move(path, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                Path wal = path.resolveSibling(path.getFileName() + "-wal");
                if (Files.exists(wal)) {
                    Files.move(wal, aside.resolveSibling(aside.getFileName() + "-wal"),
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
                Files.deleteIfExists(path.resolveSibling(path.getFileName() + "-shm"));
                org.tinylog.Logger.error("the state database {} is damaged ({}); moved aside to {} and started a "
                        + "new one: health history and counters start afresh, backups are read from their folders "
                        + "and lose nothing", path, why, aside);
            }
            Files.deleteIfExists(damagedMarker(path));
        } catch (java.nio.file.NoSuchFileException e) {
            // Another mvmm process moved it first.
        } catch (IOException e) {
            throw new StateException("the state database " + path + " is damaged (" + why
                    + ") and could not be moved aside: " + e.getMessage() + "; move it aside by hand", e);
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
        if (isDamage(e)) {
            // Found in the middle of work: the next run moves it aside (this one may hold it open).
            try {
                Files.writeString(damagedMarker(path), e.getMessage() + System.lineSeparator());
            } catch (IOException ignored) {
                // The error below still says what to do.
            }
            return new StateException("state database " + path + ": cannot " + what + ": it is damaged ("
                    + e.getMessage() + "); the next mvmm run moves it aside and starts a new one", e);
        }
        if (isBusy(e)) {
            return new StateException("state database " + path + ": cannot " + what + ": locked by another process "
                    + "for over " + BUSY_TIMEOUT_MS / 1000 + "s; 'fuser -v " + path + "' shows which", e);
        }
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
