package dev.mvmm.core.stats;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.StateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
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
    private final boolean aside;

    public StatsRepository(StateStore store) {
        this(store, false);
    }

    private StatsRepository(StateStore store, boolean aside) {
        this.store = store;
        this.aside = aside;
    }

    /** The same queries on connections of their own, for a second thread (see {@link StateStore#readAside}). */
    public StatsRepository aside() {
        return new StatsRepository(store, true);
    }

    private <T> T read(String what, StateStore.Work<T> work) {
        return aside ? store.readAside(what, work) : store.read(what, work);
    }

    /** Every VM the database has heard of, configured or not any more. */
    public Set<String> knownVms() {
        return read("list VMs", connection -> {
            Set<String> vms = new LinkedHashSet<>();
            // DISTINCT would read every row of the daily totals; d reads one index entry a VM.
            try (PreparedStatement query = connection.prepareStatement(VMS_OF_DAILY + "SELECT vm FROM vm_health"
                    + " UNION SELECT DISTINCT vm FROM transitions UNION SELECT vm FROM d WHERE vm IS NOT NULL"
                    + " ORDER BY 1");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    vms.add(rows.getString(1));
                }
            }
            return vms;
        });
    }

    /**
     * Every VM's transitions that matter for a window from {@code start}: the last one recorded at or
     * before it (the state at its start) and every one recorded after that, in recording order.
     */
    public Map<String, List<Timeline.Point>> points(Instant start) {
        return read("read transitions", connection -> {
            Map<String, List<Timeline.Point>> points = new HashMap<>();
            // One row a VM, its points packed as "at availability carried-over,..." in recording order:
            // a year's report reads a month of detail (some 80,000 transitions at 1,000 VMs), and fetching
            // them a row and four columns at a time through JDBC cost more than SQLite's work on them.
            try (PreparedStatement query = connection.prepareStatement("SELECT t.vm, group_concat(t.at || ' ' ||"
                    + " t.availability || ' ' || coalesce(t.detail = ?1, 0), ',' ORDER BY t.id)"
                    + " FROM transitions t LEFT JOIN (SELECT vm, max(id) AS first FROM transitions WHERE at <= ?2"
                    + " GROUP BY vm) b ON b.vm = t.vm WHERE t.id >= coalesce(b.first, 0) GROUP BY t.vm")) {
                query.setString(1, HistoryCompactor.CARRIED_OVER);
                query.setLong(2, start.toEpochMilli());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        points.put(rows.getString(1), unpack(rows.getString(2)));
                    }
                }
            }
            return points;
        });
    }

    /** The points {@link #points} packed into one text. */
    static List<Timeline.Point> unpack(String packed) {
        List<Timeline.Point> list = new ArrayList<>();
        int length = packed.length();
        for (int i = 0; i < length; ) {
            int space = packed.indexOf(' ', i);
            int second = packed.indexOf(' ', space + 1);
            int end = packed.indexOf(',', second + 1);
            if (end < 0) {
                end = length;
            }
            list.add(new Timeline.Point(Instant.ofEpochMilli(Long.parseLong(packed, i, space, 10)),
                    Availability.valueOf(packed.substring(space + 1, second)), packed.charAt(second + 1) == '1'));
            i = end + 1;
        }
        return list;
    }

    /**
     * Daily totals of each VM summed from {@code from}'s day (inclusive) to {@code to} (exclusive). Of
     * the first day only the part after {@code from} counts: its observed time is taken to be the end
     * of that day (later days follow it), so a full day is cut in proportion and a VM first seen late
     * that day is counted whole when it was seen after {@code from}.
     */
    public Map<String, Timeline.Totals> dailySums(Instant from, LocalDate to) {
        return read("read daily totals", connection -> {
            Map<String, Timeline.Totals> sums = new HashMap<>();
            LocalDate first = from.atZone(ZoneOffset.UTC).toLocalDate();
            long inWindow = Duration.between(from, first.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())
                    .toMillis();
            // The first day's share is cut in Java from its (one a VM) rows: a factor inside the sums
            // would be computed for every one of the year's rows.
            Map<String, long[]> firstDay = new HashMap<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT vm, " + TIMES + " FROM daily"
                    + " WHERE day = ?")) {
                query.setLong(1, first.toEpochDay());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        long[] times = times(rows);
                        long total = java.util.Arrays.stream(times).sum();
                        double outside = total <= inWindow ? 0 : 1 - inWindow / (double) total;
                        for (int i = 0; i < times.length; i++) {
                            times[i] = Math.round(times[i] * outside);
                        }
                        firstDay.put(rows.getString(1), times);
                    }
                }
            }
            Span span = Span.of(first, to);
            try (PreparedStatement query = connection.prepareStatement(VMS_OF_DAILY + "SELECT x.vm, " + SUMS
                    + ", sum(outages), sum(recoveries), sum(recovery_ms), max(open) FROM ("
                    + "SELECT daily.vm, " + TIMES + ", outages, recoveries, recovery_ms,"
                    + " CASE WHEN day = ?1 THEN open_at_start ELSE 0 END AS open"
                    + " FROM d JOIN daily ON daily.vm = d.vm AND day >= ?1 AND day < ?2"
                    + " UNION ALL SELECT monthly.vm, " + TIMES + ", outages, recoveries, recovery_ms, 0"
                    + " FROM d JOIN monthly ON monthly.vm = d.vm AND month >= ?2 AND month < ?3"
                    + " UNION ALL SELECT daily.vm, " + TIMES + ", outages, recoveries, recovery_ms, 0"
                    + " FROM d JOIN daily ON daily.vm = d.vm AND day >= ?3 AND day < ?4) x GROUP BY x.vm")) {
                span.bind(query);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        String vm = rows.getString(1);
                        long[] times = times(rows);
                        long[] outside = firstDay.get(vm);
                        Map<Availability, Duration> time = new EnumMap<>(Availability.class);
                        for (int i = 0; i < times.length; i++) {
                            long millis = times[i] - (outside == null ? 0 : outside[i]);
                            if (millis > 0) {
                                time.put(DAILY_ORDER[i], Duration.ofMillis(millis));
                            }
                        }
                        sums.put(vm, new Timeline.Totals(time, Duration.ZERO, rows.getInt(8),
                                rows.getInt(9), Duration.ofMillis(rows.getLong(10)), rows.getInt(11) == 1));
                    }
                }
            }
            return sums;
        });
    }

    /**
     * Every VM with daily totals, as table {@code d}: stepping through the primary key's index, so the
     * queries that follow seek each VM's few rows instead of scanning the whole table.
     */
    private static final String VMS_OF_DAILY = "WITH RECURSIVE d(vm) AS (SELECT min(vm) FROM daily UNION ALL"
            + " SELECT (SELECT min(vm) FROM daily WHERE vm > d.vm) FROM d WHERE d.vm IS NOT NULL) ";

    /**
     * Days {@code first} (inclusive) to {@code to} (exclusive) as the monthly sums of the whole months
     * among them, and the daily totals of the days before and after those: a year is a dozen months
     * and at most two months' days. Parameters 1-4: first day, first whole month, end of the whole
     * months, end (days since 1970-01-01).
     */
    private record Span(long first, long monthsFrom, long monthsTo, long to) {

        static Span of(LocalDate first, LocalDate to) {
            LocalDate from = first.getDayOfMonth() == 1 ? first : first.withDayOfMonth(1).plusMonths(1);
            LocalDate until = to.withDayOfMonth(1);
            if (!from.isBefore(until)) {
                return new Span(first.toEpochDay(), to.toEpochDay(), to.toEpochDay(), to.toEpochDay());
            }
            return new Span(first.toEpochDay(), from.toEpochDay(), until.toEpochDay(), to.toEpochDay());
        }

        void bind(PreparedStatement query) throws java.sql.SQLException {
            query.setLong(1, first);
            query.setLong(2, monthsFrom);
            query.setLong(3, monthsTo);
            query.setLong(4, to);
        }
    }

    /** The daily table's time columns, in this order. */
    private static final Availability[] DAILY_ORDER = {Availability.UP, Availability.DOWN, Availability.MAINTENANCE,
        Availability.STOPPED, Availability.ABSENT, Availability.UNMONITORED};
    private static final String TIMES = "up_ms, down_ms, maintenance_ms, stopped_ms, absent_ms, unmonitored_ms";
    private static final String SUMS = "sum(up_ms), sum(down_ms), sum(maintenance_ms), sum(stopped_ms),"
            + " sum(absent_ms), sum(unmonitored_ms)";

    /** Columns 2 to 7 of a row: the times in {@link #DAILY_ORDER}. */
    private static long[] times(ResultSet rows) throws java.sql.SQLException {
        long[] times = new long[DAILY_ORDER.length];
        for (int i = 0; i < times.length; i++) {
            times[i] = rows.getLong(2 + i);
        }
        return times;
    }

    /** Actions by VM and kind in the window. */
    public Map<String, Map<String, Integer>> actions(Instant start, Instant end) {
        return read("count actions", connection -> {
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
        return read("count actions", connection -> {
            Map<String, Map<String, Integer>> counts = new HashMap<>();
            // Days mostly repeat a few texts ("reboot=1"): SQLite groups them, and each is parsed once a VM.
            try (PreparedStatement query = connection.prepareStatement(VMS_OF_DAILY + "SELECT x.vm, x.actions,"
                    + " count(*) FROM (SELECT daily.vm, actions FROM d JOIN daily ON daily.vm = d.vm AND day >= ?1"
                    + " AND day < ?2 AND actions <> '' UNION ALL SELECT monthly.vm, actions FROM d JOIN monthly"
                    + " ON monthly.vm = d.vm AND month >= ?2 AND month < ?3 AND actions <> ''"
                    + " UNION ALL SELECT daily.vm, actions FROM d JOIN daily ON daily.vm = d.vm AND day >= ?3"
                    + " AND day < ?4 AND actions <> '') x GROUP BY x.vm, x.actions")) {
                Span.of(from, to).bind(query);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        Map<String, Integer> vm = counts.computeIfAbsent(rows.getString(1), v -> new TreeMap<>());
                        int days = rows.getInt(3);
                        DailyTotals.parseActions(rows.getString(2)).forEach((kind, n) -> vm.merge(kind, n * days,
                                Integer::sum));
                    }
                }
            }
            return counts;
        });
    }

    /** The first day still held in detail (older days are daily totals), or null when nothing was folded. */
    public LocalDate detailFrom() {
        return read("read meta", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT value FROM meta WHERE key = 'detail_from'");
                    ResultSet rows = query.executeQuery()) {
                return rows.next() ? LocalDate.parse(rows.getString(1)) : null;
            }
        });
    }

    /** Each VM's last backup, its chain's length and the archived chains still kept. */
    public Map<String, BackupSummary> backups() {
        return read("read backups", connection -> {
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
