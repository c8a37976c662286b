package dev.mvmm.core.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Persisted maintenance windows, global ({@link #GLOBAL}) or per VM. */
public final class MaintenanceRepository {

    /** The scope of host-wide maintenance. */
    public static final String GLOBAL = "*";

    private final StateStore store;

    public MaintenanceRepository(StateStore store) {
        this.store = store;
    }

    /** A maintenance window; {@code until} is {@code null} when it lasts until switched off. */
    public record Window(String scope, Instant since, Instant until, String reason) {

        public boolean isGlobal() {
            return GLOBAL.equals(scope);
        }

        public boolean activeAt(Instant now) {
            return until == null || now.isBefore(until);
        }
    }

    public void put(Window window) {
        store.transaction("set maintenance", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "INSERT OR REPLACE INTO maintenance (scope, since, until, reason) VALUES (?,?,?,?)")) {
                statement.setString(1, window.scope());
                statement.setLong(2, window.since().toEpochMilli());
                if (window.until() == null) {
                    statement.setNull(3, java.sql.Types.INTEGER);
                } else {
                    statement.setLong(3, window.until().toEpochMilli());
                }
                statement.setString(4, window.reason());
                statement.executeUpdate();
            }
            return null;
        });
    }

    /** Removes a window; returns whether there was one. */
    public boolean remove(String scope) {
        return store.transaction("end maintenance", connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM maintenance WHERE scope = ?")) {
                statement.setString(1, scope);
                return statement.executeUpdate() > 0;
            }
        });
    }

    /** Every window still in force at {@code now}; expired ones are left for {@link #purgeExpired}. */
    public List<Window> active(Instant now) {
        List<Window> windows = new ArrayList<>();
        for (Window window : all()) {
            if (window.activeAt(now)) {
                windows.add(window);
            }
        }
        return windows;
    }

    public List<Window> all() {
        return store.read("read maintenance", connection -> {
            List<Window> windows = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT scope, since, until, reason FROM maintenance ORDER BY scope");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    long until = rows.getLong(3);
                    Instant untilValue = rows.wasNull() ? null : Instant.ofEpochMilli(until);
                    windows.add(new Window(rows.getString(1), Instant.ofEpochMilli(rows.getLong(2)), untilValue,
                            rows.getString(4)));
                }
            }
            return windows;
        });
    }

    /** Deletes windows that ended before {@code now}. */
    public int purgeExpired(Instant now) {
        return store.transaction("purge maintenance", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "DELETE FROM maintenance WHERE until IS NOT NULL AND until <= ?")) {
                statement.setLong(1, now.toEpochMilli());
                return statement.executeUpdate();
            }
        });
    }
}
