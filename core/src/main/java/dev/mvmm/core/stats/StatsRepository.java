package dev.mvmm.core.stats;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.StateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The queries behind {@code mvmm stats}: read-only, a handful of queries for all VMs at once
 * (a year of 1,000 VMs is a few hundred thousand daily rows; SQLite sums them).
 */
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
     * Every VM's transitions that matter for a window from {@code start}: the last one before it (the
     * state at its start) and every later one, in recording order.
     */
    public Map<String, List<Timeline.Point>> points(Instant start) {
        return store.read("read transitions", connection -> {
            Map<String, List<Timeline.Point>> points = new HashMap<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT t.vm, t.at, t.availability, t.detail"
                    + " FROM transitions t LEFT JOIN (SELECT vm, max(id) AS first FROM transitions WHERE at <= ?"
                    + " GROUP BY vm) b ON b.vm = t.vm WHERE t.id >= coalesce(b.first, 0) ORDER BY t.vm, t.id")) {
                query.setLong(1, start.toEpochMilli());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        points.computeIfAbsent(rows.getString(1), vm -> new ArrayList<>()).add(new Timeline.Point(
                                Instant.ofEpochMilli(rows.getLong(2)), Availability.valueOf(rows.getString(3)),
                                HistoryCompactor.CARRIED_OVER.equals(rows.getString(4))));
                    }
                }
            }
            return points;
        });
    }

    /** Daily totals of each VM summed from {@code from} (inclusive) to {@code to} (exclusive). */
    public Map<String, Timeline.Totals> dailySums(LocalDate from, LocalDate to) {
        return store.read("read daily totals", connection -> {
            Map<String, Timeline.Totals> sums = new HashMap<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT vm, sum(up_ms), sum(down_ms),"
                    + " sum(maintenance_ms), sum(stopped_ms), sum(absent_ms), sum(unmonitored_ms), sum(outages),"
                    + " sum(recoveries), sum(recovery_ms), max(CASE WHEN day = ? THEN open_at_start ELSE 0 END)"
                    + " FROM daily WHERE day >= ? AND day < ? GROUP BY vm")) {
                query.setLong(1, from.toEpochDay());
                query.setLong(2, from.toEpochDay());
                query.setLong(3, to.toEpochDay());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        Map<Availability, Duration> time = new EnumMap<>(Availability.class);
                        Availability[] order = {Availability.UP, Availability.DOWN, Availability.MAINTENANCE,
                            Availability.STOPPED, Availability.ABSENT, Availability.UNMONITORED};
                        for (int i = 0; i < order.length; i++) {
                            long millis = rows.getLong(2 + i);
                            if (millis > 0) {
                                time.put(order[i], Duration.ofMillis(millis));
                            }
                        }
                        sums.put(rows.getString(1), new Timeline.Totals(time, Duration.ZERO, rows.getInt(8),
                                rows.getInt(9), Duration.ofMillis(rows.getLong(10)), rows.getInt(11) == 1));
                    }
                }
            }
            return sums;
        });
    }

    /** Actions by VM and kind in the window. */
    public Map<String, Map<String, Integer>> actions(Instant start, Instant end) {
        return store.read("count actions", connection -> {
            Map<String, Map<String, Integer>> counts = new HashMap<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT vm, action, count(*) FROM actions"
                    + " WHERE at >= ? AND at < ? GROUP BY vm, action")) {
                query.setLong(1, start.toEpochMilli());
                query.setLong(2, end.toEpochMilli());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        counts.computeIfAbsent(rows.getString(1), vm -> new TreeMap<>()).put(rows.getString(2),
                                rows.getInt(3));
                    }
                }
            }
            return counts;
        });
    }

    /** Actions by VM and kind in daily totals from {@code from} (inclusive) to {@code to} (exclusive). */
    public Map<String, Map<String, Integer>> dailyActions(LocalDate from, LocalDate to) {
        return store.read("count actions", connection -> {
            Map<String, Map<String, Integer>> counts = new HashMap<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT vm, actions FROM daily"
                    + " WHERE day >= ? AND day < ? AND actions <> ''")) {
                query.setLong(1, from.toEpochDay());
                query.setLong(2, to.toEpochDay());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        Map<String, Integer> vm = counts.computeIfAbsent(rows.getString(1), v -> new TreeMap<>());
                        DailyTotals.parseActions(rows.getString(2)).forEach((kind, n) -> vm.merge(kind, n,
                                Integer::sum));
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

    /** Each VM's last backup, its chain's length and the archived chains still kept. */
    public Map<String, BackupSummary> backups() {
        return store.read("read backups", connection -> {
            Map<String, BackupSummary> summaries = new HashMap<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT b.vm, b.chain, b.level, b.started_at,"
                    + " b.finished_at, b.bytes, b.result,"
                    + " (SELECT count(*) FROM backups c WHERE c.vm = b.vm AND c.chain = b.chain AND c.result = 'ok'"
                    + " AND c.level NOT IN ('sync', 'restore')),"
                    + " (SELECT count(*) FROM chains h WHERE h.vm = b.vm AND h.archived_at IS NOT NULL"
                    + " AND h.deleted_at IS NULL),"
                    + " (SELECT finished_at FROM backups s WHERE s.vm = b.vm AND s.level = 'sync'"
                    + " ORDER BY s.started_at DESC, s.id DESC LIMIT 1),"
                    + " (SELECT result FROM backups s WHERE s.vm = b.vm AND s.level = 'sync'"
                    + " ORDER BY s.started_at DESC, s.id DESC LIMIT 1),"
                    + " (SELECT finished_at FROM backups r WHERE r.vm = b.vm AND r.level = 'restore'"
                    + " ORDER BY r.started_at DESC, r.id DESC LIMIT 1),"
                    + " (SELECT result FROM backups r WHERE r.vm = b.vm AND r.level = 'restore'"
                    + " ORDER BY r.started_at DESC, r.id DESC LIMIT 1)"
                    + " FROM backups b WHERE b.id = (SELECT id FROM backups l WHERE l.vm = b.vm"
                    + " AND l.level NOT IN ('sync', 'restore')"
                    + " ORDER BY l.started_at DESC, l.id DESC LIMIT 1)");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    long finished = rows.getLong(5);
                    Instant finishedAt = rows.wasNull() ? null : Instant.ofEpochMilli(finished);
                    long bytes = rows.getLong(6);
                    Long size = rows.wasNull() ? null : bytes;
                    long synced = rows.getLong(10);
                    Instant syncedAt = rows.wasNull() ? null : Instant.ofEpochMilli(synced);
                    long restored = rows.getLong(12);
                    Instant restoredAt = rows.wasNull() ? null : Instant.ofEpochMilli(restored);
                    summaries.put(rows.getString(1), new BackupSummary(Instant.ofEpochMilli(rows.getLong(4)),
                            finishedAt, rows.getString(3), size, rows.getString(7), rows.getInt(8), rows.getInt(9),
                            syncedAt, rows.getString(11), restoredAt, rows.getString(13)));
                }
            }
            return summaries;
        });
    }
}
