package dev.mvmm.core.stats;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.StateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The queries behind {@code mvmm stats}: read-only, over what check, monitor and backup record. */
public final class StatsRepository {

    private final StateStore store;

    public StatsRepository(StateStore store) {
        this.store = store;
    }

    /** Every VM the database has heard of, configured or not any more. */
    public Set<String> knownVms() {
        return store.read("list VMs", connection -> {
            Set<String> vms = new LinkedHashSet<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT vm FROM vm_health UNION "
                    + "SELECT DISTINCT vm FROM transitions UNION SELECT DISTINCT vm FROM daily ORDER BY 1");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    vms.add(rows.getString(1));
                }
            }
            return vms;
        });
    }

    /**
     * The VM's transitions that matter for a window from {@code start}: the last one before it (the
     * state at its start) and every later one, in recording order.
     */
    public List<Timeline.Point> points(String vm, Instant start) {
        return store.read("read transitions", connection -> {
            List<Timeline.Point> points = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT at, availability, detail FROM transitions"
                    + " WHERE vm = ? AND id >= coalesce((SELECT max(id) FROM transitions WHERE vm = ? AND at <= ?), 0)"
                    + " ORDER BY id")) {
                query.setString(1, vm);
                query.setString(2, vm);
                query.setLong(3, start.toEpochMilli());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        points.add(new Timeline.Point(Instant.ofEpochMilli(rows.getLong(1)),
                                Availability.valueOf(rows.getString(2)),
                                HistoryCompactor.CARRIED_OVER.equals(rows.getString(3))));
                    }
                }
            }
            return points;
        });
    }

    /** Per-day aggregates of the VM from {@code from} (inclusive) to {@code to} (exclusive). */
    public List<DailyTotals> daily(String vm, LocalDate from, LocalDate to) {
        return store.read("read daily aggregates", connection -> {
            List<DailyTotals> days = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT day, up_ms, down_ms, maintenance_ms,"
                    + " stopped_ms, absent_ms, unmonitored_ms, outages, recoveries, recovery_ms, actions, open_at_start FROM daily"
                    + " WHERE vm = ? AND day >= ? AND day < ? ORDER BY day")) {
                query.setString(1, vm);
                query.setString(2, from.toString());
                query.setString(3, to.toString());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        days.add(DailyTotals.read(vm, rows));
                    }
                }
            }
            return days;
        });
    }

    /** Actions by kind in the window. */
    public Map<String, Integer> actions(String vm, Instant start, Instant end) {
        return store.read("count actions", connection -> {
            Map<String, Integer> counts = new LinkedHashMap<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT action, count(*) FROM actions"
                    + " WHERE vm = ? AND at >= ? AND at < ? GROUP BY action ORDER BY action")) {
                query.setString(1, vm);
                query.setLong(2, start.toEpochMilli());
                query.setLong(3, end.toEpochMilli());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        counts.put(rows.getString(1), rows.getInt(2));
                    }
                }
            }
            return counts;
        });
    }

    /** All actions ever, by kind (for Prometheus counters), including those folded into daily totals. */
    public Map<String, Long> actionTotals(String vm) {
        return store.read("count actions", connection -> {
            Map<String, Long> counts = new java.util.TreeMap<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT action, count(*) FROM actions WHERE vm = ? GROUP BY action")) {
                query.setString(1, vm);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        counts.merge(rows.getString(1), rows.getLong(2), Long::sum);
                    }
                }
            }
            try (PreparedStatement query = connection.prepareStatement("SELECT actions FROM daily WHERE vm = ?")) {
                query.setString(1, vm);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        DailyTotals.parseActions(rows.getString(1)).forEach((kind, n) -> counts.merge(kind,
                                (long) n, Long::sum));
                    }
                }
            }
            return counts;
        });
    }

    /** The first day still held in detail (older days are daily totals), or null when nothing was folded. */
    public LocalDate detailFrom() {
        return store.read("read meta", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT value FROM meta WHERE key = 'detail_from'");
                    ResultSet rows = query.executeQuery()) {
                return rows.next() ? LocalDate.parse(rows.getString(1)) : null;
            }
        });
    }

    /** The last backup, the current chain's length and the archived chains still kept; null when none. */
    public BackupSummary backups(String vm) {
        return store.read("read backups", connection -> {
            try (PreparedStatement last = connection.prepareStatement("SELECT chain, level, started_at, finished_at,"
                    + " bytes, result FROM backups WHERE vm = ? ORDER BY started_at DESC, id DESC LIMIT 1")) {
                last.setString(1, vm);
                try (ResultSet row = last.executeQuery()) {
                    if (!row.next()) {
                        return null;
                    }
                    String chain = row.getString(1);
                    long finished = row.getLong(4);
                    Instant finishedAt = row.wasNull() ? null : Instant.ofEpochMilli(finished);
                    long bytes = row.getLong(5);
                    Long size = row.wasNull() ? null : bytes;
                    return new BackupSummary(Instant.ofEpochMilli(row.getLong(3)), finishedAt, row.getString(2), size,
                            row.getString(6), count(connection, "SELECT count(*) FROM backups WHERE vm = ? AND chain = ?"
                                    + " AND result = 'ok'", vm, chain),
                            count(connection, "SELECT count(*) FROM chains WHERE vm = ? AND archived_at IS NOT NULL"
                                    + " AND deleted_at IS NULL", vm, null));
                }
            }
        });
    }

    private static int count(java.sql.Connection connection, String sql, String vm, String chain)
            throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, vm);
            if (chain != null) {
                query.setString(2, chain);
            }
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }
}
