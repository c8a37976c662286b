package dev.mvmm.core.stats;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.StateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
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
    public Map<String, Timeline.Packed> points(Instant start) {
        return points(start, false);
    }

    /**
     * @param everything the window starts where the detail kept starts, or before (a report reaching into
     *                   folded history): every transition is read and those before each VM's state at the
     *                   start are dropped here, which costs less than SQLite finding where each VM's points
     *                   begin (the result is the same either way)
     */
    public Map<String, Timeline.Packed> points(Instant start, boolean everything) {
        return read("read transitions", connection -> {
            Map<String, Timeline.Packed> points = new HashMap<>();
            // One row a VM, its points packed as numbers in recording order (see POINT): a year's report
            // reads a month of detail (some 80,000 transitions at 1,000 VMs). Fetched a row and four
            // columns at a time through JDBC they cost more than SQLite's work on them, and as text
            // ("at availability flag") the concatenation was half of SQLite's.
            try (PreparedStatement query = connection.prepareStatement("SELECT t.vm, group_concat(" + POINT
                    + ", ',' ORDER BY t.id) FROM transitions t" + (everything ? "" : " LEFT JOIN (SELECT vm,"
                    + " max(id) AS first FROM transitions WHERE at <= ?2 GROUP BY vm) b ON b.vm = t.vm"
                    + " WHERE t.id >= coalesce(b.first, 0)") + " GROUP BY t.vm")) {
                query.setString(1, HistoryCompactor.CARRIED_OVER);
                if (!everything) {
                    query.setLong(2, start.toEpochMilli());
                }
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        String vm = rows.getString(1);
                        Timeline.Packed list = unpack(rows.getString(2));
                        if (list == null) {
                            throw new java.sql.SQLException("a transition of VM " + vm + " records an availability"
                                    + " this mvmm does not know (was the database written by a newer mvmm?)");
                        }
                        points.put(vm, everything ? fromStateAt(list, start) : list);
                    }
                }
            }
            return points;
        });
    }

    /** The points from the last one recorded at or before {@code start} on; all of them when none is. */
    private static Timeline.Packed fromStateAt(Timeline.Packed points, Instant start) {
        long at = start.toEpochMilli();
        for (int i = points.size() - 1; i > 0; i--) {
            if (points.at(i) <= at) {
                return points.from(i);
            }
        }
        return points;
    }

    /**
     * A transition as one number, as {@link Timeline.Packed} holds it: {@code at * 16 + availability * 2
     * + carried-over}, the availability by its position in {@link Availability} (one it does not know is
     * {@link Timeline.Packed#UNKNOWN}).
     */
    private static final String POINT = point();

    private static String point() {
        StringBuilder sql = new StringBuilder("t.at * 16 + 2 * CASE t.availability ");
        for (Availability availability : Availability.values()) {
            sql.append("WHEN '").append(availability.name()).append("' THEN ").append(availability.ordinal())
                    .append(' ');
        }
        return sql.append("ELSE ").append(Timeline.Packed.UNKNOWN).append(" END + coalesce(t.detail = ?1, 0)")
                .toString();
    }

    private static final int AVAILABILITIES = Availability.values().length;

    /** The points {@link #points} packed into one text; null if one holds an availability not known. */
    static Timeline.Packed unpack(String packed) {
        long[] points = new long[16];
        int size = 0;
        int length = packed.length();
        int i = 0;
        while (i < length) {
            // Digits read here: Long.parseLong's checks per character were most of this loop before the JIT.
            boolean negative = packed.charAt(i) == '-';
            if (negative) {
                i++;
            }
            long point = 0;
            for (char c; i < length && (c = packed.charAt(i)) != ','; i++) {
                point = point * 10 + (c - '0');
            }
            i++;
            if (negative) {
                point = -point;
            }
            if (Timeline.Packed.availabilityOf(point) >= AVAILABILITIES) {
                return null;
            }
            if (size == points.length) {
                points = java.util.Arrays.copyOf(points, size * 2);
            }
            points[size++] = point;
        }
        return new Timeline.Packed(points, 0, size);
    }

    /** What folded history holds for a span: each VM's summed totals and its actions by kind. */
    public record Folded(Map<String, Timeline.Totals> sums, Map<String, Map<String, Integer>> actions) {

        static final Folded NONE = new Folded(Map.of(), Map.of());
    }

    /**
     * Daily totals of each VM summed from {@code from}'s day (inclusive) to {@code to} (exclusive), and
     * the actions they counted. Of the first day's times only the part after {@code from} counts: its
     * observed time is taken to be the end of that day (later days follow it), so a full day is cut in
     * proportion and a VM first seen late that day is counted whole when it was seen after
     * {@code from}. Its actions count whole.
     */
    public Folded folded(Instant from, LocalDate to) {
        return read("read daily totals", connection -> {
            LocalDate first = from.atZone(ZoneOffset.UTC).toLocalDate();
            Span span = Span.of(first, to);
            // Part 0 is the first day's row; parts 1-3 the days before the whole months, the months, the
            // days after them, each summed a VM at a time in the primary key's order (no sort).
            Map<String, long[]> sums = new HashMap<>();
            Map<String, long[]> firstDay = new HashMap<>();
            Map<String, Map<String, Integer>> actions = new HashMap<>();
            try (PreparedStatement query = connection.prepareStatement(VMS_OF_DAILY + "SELECT 0, vm, " + TIMES
                    + ", 0, 0, 0, 0, NULL FROM daily WHERE vm IN d AND day = ?1"
                    + " UNION ALL SELECT 1, vm, " + SUMS + ", max(CASE WHEN day = ?1 THEN open_at_start ELSE 0 END),"
                    + ACTIONS + " FROM daily WHERE vm IN d AND day >= ?1 AND day < ?2 GROUP BY vm"
                    + " UNION ALL SELECT 2, vm, " + SUMS + ", 0," + ACTIONS
                    + " FROM monthly WHERE vm IN d AND month >= ?2 AND month < ?3 GROUP BY vm"
                    + " UNION ALL SELECT 3, vm, " + SUMS + ", 0," + ACTIONS
                    + " FROM daily WHERE vm IN d AND day >= ?3 AND day < ?4 GROUP BY vm")) {
                span.bind(query);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        String vm = rows.getString(2);
                        if (rows.getInt(1) == 0) {
                            long[] times = new long[DAILY_ORDER.length];
                            for (int i = 0; i < times.length; i++) {
                                times[i] = rows.getLong(3 + i);
                            }
                            firstDay.put(vm, times);
                            continue;
                        }
                        long[] sum = sums.computeIfAbsent(vm, v -> new long[SUMMED]);
                        for (int i = 0; i < SUMMED - 1; i++) {
                            sum[i] += rows.getLong(3 + i);
                        }
                        sum[SUMMED - 1] |= rows.getLong(2 + SUMMED);
                        String text = rows.getString(3 + SUMMED);
                        if (text != null) {
                            DailyTotals.addActions(text, actions.computeIfAbsent(vm, v -> new TreeMap<>()));
                        }
                    }
                }
            }
            long inWindow = Duration.between(from, first.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())
                    .toMillis();
            Map<String, Timeline.Totals> totals = new HashMap<>();
            sums.forEach((vm, sum) -> totals.put(vm, totals(sum, firstDay.get(vm), inWindow)));
            return new Folded(totals, actions);
        });
    }

    /** Summed per VM: the six times, outages, recoveries, recovery time, and (last) an outage open at the start. */
    private static final int SUMMED = 10;

    /** @param firstDay the first day's times, of which the share before the window is taken off */
    private static Timeline.Totals totals(long[] sum, long[] firstDay, long inWindow) {
        double outside = 0;
        if (firstDay != null) {
            long total = java.util.Arrays.stream(firstDay).sum();
            outside = total <= inWindow ? 0 : 1 - inWindow / (double) total;
        }
        Map<Availability, Duration> time = new EnumMap<>(Availability.class);
        for (int i = 0; i < DAILY_ORDER.length; i++) {
            long millis = sum[i] - (firstDay == null ? 0 : Math.round(firstDay[i] * outside));
            if (millis > 0) {
                time.put(DAILY_ORDER[i], Duration.ofMillis(millis));
            }
        }
        return new Timeline.Totals(time, Duration.ZERO, (int) sum[6], (int) sum[7], Duration.ofMillis(sum[8]),
                sum[9] == 1);
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
            + " sum(absent_ms), sum(unmonitored_ms), sum(outages), sum(recoveries), sum(recovery_ms)";
    /** A VM's action texts of the span, joined: {@code reboot=1;reboot=2;hold=1}. */
    private static final String ACTIONS = " group_concat(nullif(actions, ''), ';')";

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
