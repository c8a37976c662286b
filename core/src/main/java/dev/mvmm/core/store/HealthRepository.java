package dev.mvmm.core.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Reads and writes per-VM health state, its transitions and the actions taken. */
public final class HealthRepository {

    private static final String COLUMNS = "vm, availability, verdict, detail, run_id, checked_at, failing_since,"
            + " healthy_since, recovery_until, hold_since, hold_reason, pending_action, pending_since,"
            + " pending_run_id, last_action, last_action_at, last_action_result, latency_us, run_started_at,"
            + " scheduled_at";

    private final StateStore store;

    public HealthRepository(StateStore store) {
        this.store = store;
    }

    /** An action taken (or attempted) on a VM. */
    public record ActionRecord(String vm, Instant at, String action, String result, String detail) {
    }

    /** A change of availability. */
    public record Transition(String vm, Instant at, Availability availability, String detail) {
    }

    public Map<String, VmHealth> loadAll() {
        return store.read("read VM health", connection -> {
            Map<String, VmHealth> states = new LinkedHashMap<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS + " FROM vm_health");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    VmHealth health = map(rows);
                    states.put(health.vm(), health);
                }
            }
            return states;
        });
    }

    public Optional<VmHealth> load(String vm) {
        return store.read("read VM health", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT " + COLUMNS + " FROM vm_health WHERE vm = ?")) {
                query.setString(1, vm);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(map(rows)) : Optional.empty();
                }
            }
        });
    }

    /** See {@link StateStore#dataVersion()}: tells a long-running process that another one wrote. */
    public long dataVersion() {
        return store.dataVersion();
    }

    /** Saves states, and the transitions and actions that go with them, in one transaction. */
    public void save(Collection<VmHealth> states, Collection<Transition> transitions,
            Collection<ActionRecord> actions) {
        store.transaction("save VM health", connection -> {
            upsert(connection, states);
            insertTransitions(connection, transitions);
            insertActions(connection, actions);
            return null;
        });
    }

    public void save(VmHealth state) {
        save(java.util.List.of(state), java.util.List.of(), java.util.List.of());
    }

    /**
     * Records that an action begins, committed at once with the VM's state (which carries the
     * pending marker), so that a kill at any later moment leaves a trace the next run acts on.
     * Returns the action's id for {@link #finishAction}.
     */
    public long beginAction(VmHealth state, String action) {
        return store.transaction("record action", connection -> begin(connection, state, action));
    }

    /**
     * {@link #beginAction}, unless maintenance of the VM or of the host is in force at {@code now}.
     * The look and the marker are one immediate transaction: a window another process commits
     * ('mvmm maintenance on') either stops the action or is committed after the action began.
     *
     * @return the action's id, or empty when maintenance stopped it
     */
    public java.util.OptionalLong beginActionOutsideMaintenance(VmHealth state, String action, Instant now) {
        return store.transaction("record action", connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM maintenance"
                    + " WHERE scope IN (?, ?) AND (until IS NULL OR until > ?)")) {
                query.setString(1, state.vm());
                query.setString(2, MaintenanceRepository.GLOBAL);
                query.setLong(3, now.toEpochMilli());
                try (ResultSet rows = query.executeQuery()) {
                    if (rows.next()) {
                        return java.util.OptionalLong.empty();
                    }
                }
            }
            return java.util.OptionalLong.of(begin(connection, state, action));
        });
    }

    private static long begin(Connection connection, VmHealth state, String action) throws SQLException {
        upsert(connection, java.util.List.of(state));
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO actions (vm, at, action, result) VALUES (?,?,?,'begun')",
                java.sql.Statement.RETURN_GENERATED_KEYS)) {
            statement.setString(1, state.vm());
            statement.setLong(2, state.checkedAt().toEpochMilli());
            statement.setString(3, action);
            statement.executeUpdate();
            try (ResultSet keys = statement.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** Records an action taken outside a health check (a power cycle by patch), for the loop guard and stats. */
    public void recordAction(String vm, Instant at, String action, String result, String detail) {
        store.transaction("record action", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "INSERT INTO actions (vm, at, action, result, detail) VALUES (?,?,?,?,?)")) {
                statement.setString(1, vm);
                statement.setLong(2, at.toEpochMilli());
                statement.setString(3, action);
                statement.setString(4, result);
                statement.setString(5, detail);
                statement.executeUpdate();
            }
            return null;
        });
    }

    /**
     * The action a killed run began and never finished: the newest of that kind still 'begun', to be
     * finished under its own id by the run that carries it on, so that one reboot is one action for
     * {@code stats} and the loop guard.
     */
    public java.util.OptionalLong interruptedAction(String vm, String action) {
        return store.read("read interrupted action", connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT max(id) FROM actions"
                    + " WHERE vm = ? AND action = ? AND result = 'begun'")) {
                query.setString(1, vm);
                query.setString(2, action);
                try (ResultSet rows = query.executeQuery()) {
                    long id = rows.next() ? rows.getLong(1) : 0;
                    return id == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(id);
                }
            }
        });
    }

    /** Sets the result of an action recorded by {@link #beginAction}. */
    public void finishAction(long id, String result, String detail) {
        store.transaction("record action result", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE actions SET result = ?, detail = ? WHERE id = ?")) {
                statement.setString(1, result);
                statement.setString(2, detail);
                statement.setLong(3, id);
                statement.executeUpdate();
            }
            return null;
        });
    }

    /** Actions of the given kinds taken on {@code vm} at or after {@code since} and after its last clear. */
    public int countActions(String vm, Instant since, Collection<String> kinds) {
        return actionTimes(vm, since, kinds).length;
    }

    /**
     * When the actions of the given kinds were taken on {@code vm} at or after {@code since} and after
     * its last clear (epoch milliseconds, oldest first).
     */
    public long[] actionTimes(String vm, Instant since, Collection<String> kinds) {
        return store.read("read actions", connection -> {
            String placeholders = String.join(",", java.util.Collections.nCopies(kinds.size(), "?"));
            // An operator's 'clear' starts the count afresh.
            try (PreparedStatement query = connection.prepareStatement("SELECT at FROM actions"
                    + " WHERE vm = ? AND at >= ?"
                    + " AND at > coalesce((SELECT max(at) FROM actions WHERE vm = ? AND action = 'clear'), -1)"
                    + " AND action IN (" + placeholders + ") ORDER BY at")) {
                query.setString(1, vm);
                query.setLong(2, since.toEpochMilli());
                query.setString(3, vm);
                int index = 4;
                for (String kind : kinds) {
                    query.setString(index++, kind);
                }
                try (ResultSet rows = query.executeQuery()) {
                    long[] times = new long[8];
                    int count = 0;
                    while (rows.next()) {
                        if (count == times.length) {
                            times = java.util.Arrays.copyOf(times, count * 2);
                        }
                        times[count++] = rows.getLong(1);
                    }
                    return java.util.Arrays.copyOf(times, count);
                }
            }
        });
    }

    public java.util.List<Transition> transitions(String vm) {
        return store.read("read transitions", connection -> {
            java.util.List<Transition> list = new java.util.ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT at, availability, detail FROM transitions WHERE vm = ? ORDER BY at, id")) {
                query.setString(1, vm);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        list.add(new Transition(vm, Instant.ofEpochMilli(rows.getLong(1)),
                                Availability.valueOf(rows.getString(2)), rows.getString(3)));
                    }
                }
            }
            return list;
        });
    }

    public java.util.List<ActionRecord> actions(String vm) {
        return store.read("read actions", connection -> {
            java.util.List<ActionRecord> list = new java.util.ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT at, action, result, detail FROM actions WHERE vm = ? ORDER BY at, id")) {
                query.setString(1, vm);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        list.add(new ActionRecord(vm, Instant.ofEpochMilli(rows.getLong(1)), rows.getString(2),
                                rows.getString(3), rows.getString(4)));
                    }
                }
            }
            return list;
        });
    }

    private static void upsert(Connection connection, Collection<VmHealth> states) throws SQLException {
        if (states.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("INSERT OR REPLACE INTO vm_health ("
                + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (VmHealth s : states) {
                statement.setString(1, s.vm());
                statement.setString(2, (s.availability() == null ? Availability.UNMONITORED : s.availability()).name());
                statement.setString(3, s.verdict());
                statement.setString(4, s.detail());
                statement.setString(5, s.runId());
                statement.setLong(6, s.checkedAt().toEpochMilli());
                setInstant(statement, 7, s.failingSince());
                setInstant(statement, 8, s.healthySince());
                setInstant(statement, 9, s.recoveryUntil());
                setInstant(statement, 10, s.hold() == null ? null : s.hold().since());
                statement.setString(11, s.hold() == null ? null : s.hold().reason());
                statement.setString(12, s.pending() == null ? null : s.pending().action());
                setInstant(statement, 13, s.pending() == null ? null : s.pending().since());
                statement.setString(14, s.pending() == null ? null : s.pending().runId());
                statement.setString(15, s.lastAction() == null ? null : s.lastAction().action());
                setInstant(statement, 16, s.lastAction() == null ? null : s.lastAction().at());
                statement.setString(17, s.lastAction() == null ? null : s.lastAction().result());
                if (s.latency() == null) {
                    statement.setNull(18, Types.INTEGER);
                } else {
                    statement.setLong(18, s.latency().toNanos() / 1000);
                }
                setInstant(statement, 19, s.runStartedAt());
                setInstant(statement, 20, s.scheduledAt());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private static void insertTransitions(Connection connection, Collection<Transition> transitions)
            throws SQLException {
        if (transitions.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO transitions (vm, at, availability, detail) VALUES (?,?,?,?)")) {
            for (Transition t : transitions) {
                statement.setString(1, t.vm());
                statement.setLong(2, t.at().toEpochMilli());
                statement.setString(3, t.availability().name());
                statement.setString(4, t.detail());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private static void insertActions(Connection connection, Collection<ActionRecord> actions) throws SQLException {
        if (actions.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO actions (vm, at, action, result, detail) VALUES (?,?,?,?,?)")) {
            for (ActionRecord a : actions) {
                statement.setString(1, a.vm());
                statement.setLong(2, a.at().toEpochMilli());
                statement.setString(3, a.action());
                statement.setString(4, a.result());
                statement.setString(5, a.detail());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private static VmHealth map(ResultSet row) throws SQLException {
        Instant holdSince = instant(row, 10);
        String pendingAction = row.getString(12);
        String lastAction = row.getString(15);
        long latency = row.getLong(18);
        Duration latencyValue = row.wasNull() ? null : Duration.ofNanos(latency * 1000);
        return new VmHealth(row.getString(1), Availability.valueOf(row.getString(2)), row.getString(3),
                row.getString(4), row.getString(5), Instant.ofEpochMilli(row.getLong(6)), instant(row, 7),
                instant(row, 8), instant(row, 9),
                holdSince == null ? null : new VmHealth.Hold(holdSince, row.getString(11)),
                pendingAction == null ? null : new VmHealth.Pending(pendingAction, instant(row, 13), row.getString(14)),
                lastAction == null ? null : new VmHealth.LastAction(lastAction, instant(row, 16), row.getString(17)),
                latencyValue, instant(row, 19), instant(row, 20));
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private static void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setLong(index, value.toEpochMilli());
        }
    }
}
