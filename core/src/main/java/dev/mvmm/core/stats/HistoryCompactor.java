package dev.mvmm.core.stats;

import dev.mvmm.core.config.Durations;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.StateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.tinylog.Logger;

/**
 * Keeps the state database small: transitions and actions older than the detail retention are
 * folded into per-day totals (UTC days), which are kept for good (about 40 bytes per VM and day).
 * The state at the boundary is restated as a transition marked {@link #CARRIED_OVER}, so later
 * windows still know it.
 */
public final class HistoryCompactor {

    /** The detail text of a transition that restates the state at the start of kept detail. */
    public static final String CARRIED_OVER = "(carried over from compacted history)";

    /** The detail text of a transition that restates what was recorded while the clock ran ahead. */
    public static final String RESTATED = "(restated: recorded while the clock was ahead)";

    /** The longest time between compactions that still counts as a clock running steadily. */
    static final Duration STEADY_GAP = Duration.ofDays(7);

    private final StateStore store;

    public HistoryCompactor(StateStore store) {
        this.store = store;
    }

    /**
     * Compacts at most once a day: folds what is older than {@code detail} if the last compaction
     * is a day old. Folding is irreversible, so it waits for a clock that has run steadily: when the
     * clock has moved back since the last compaction, or on by more than {@link #STEADY_GAP}, this
     * call only notes the time and folding resumes a day later (a clock set a year ahead by mistake
     * and put right within the day folds nothing). A clock found behind the folded history, because
     * it ran ahead long enough for a compaction, is put right first ({@link #repairClockBehind}).
     * Never fails the caller: a problem is logged and retried the next day.
     */
    public void compactIfDue(Instant now, Duration detail) {
        try {
            Instant last = readMeta("compacted_at").map(Instant::parse).orElse(null);
            Duration since = last == null ? null : Duration.between(last, now);
            if (since != null && !since.isNegative() && since.compareTo(Duration.ofDays(1)) < 0) {
                return;
            }
            repairClockBehind(now);
            writeMeta("compacted_at", now.toString());
            if (since != null && (since.isNegative() || since.compareTo(STEADY_GAP) > 0)) {
                Logger.info("the last history compaction was at {}, {}: folding waits a day to be sure of the clock",
                        last, since.isNegative() ? Durations.format(since.abs()) + " ahead of the clock (set back?)"
                                : Durations.format(since) + " ago");
                return;
            }
            compact(now.minus(detail));
        } catch (RuntimeException e) {
            Logger.warn("history compaction failed, retried tomorrow: {}", e.getMessage());
        }
    }

    /**
     * When the clock is behind the first day held in detail, a compaction ran while it was ahead:
     * the daily totals from today on describe a future that was never observed, and what was
     * recorded while the clock was ahead carries times that have not come yet. Those daily totals
     * are removed; each VM's records from the future are folded into one transition now, stating
     * the last state they recorded, and their actions are dated now (they happened, at an unknown
     * time before now); detail is held again from today. Returns whether there was anything to do.
     */
    boolean repairClockBehind(Instant now) {
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate detailFrom = readMeta("detail_from").map(LocalDate::parse).orElse(null);
        if (detailFrom == null || !detailFrom.isAfter(today)) {
            return false;
        }
        long at = now.toEpochMilli();
        int[] counts = store.transaction("repair history after the clock went back", connection -> {
            int days;
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM daily WHERE day >= ?")) {
                delete.setLong(1, today.toEpochDay());
                days = delete.executeUpdate();
            }
            rebuildMonths(connection, today.withDayOfMonth(1));
            // Per VM, the last record from the future says the state it was in when the clock was put
            // right: it is kept, dated when the first record after it (made since) was, or now.
            Map<String, Long> lastFuture = new TreeMap<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT vm, max(id) FROM transitions WHERE at > ? GROUP BY vm")) {
                query.setLong(1, at);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        lastFuture.put(rows.getString(1), rows.getLong(2));
                    }
                }
            }
            int future;
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM transitions WHERE at > ?"
                    + " AND id < (SELECT max(f.id) FROM transitions f WHERE f.vm = transitions.vm AND f.at > ?)")) {
                delete.setLong(1, at);
                delete.setLong(2, at);
                future = delete.executeUpdate() + lastFuture.size();
            }
            try (PreparedStatement restate = connection.prepareStatement("UPDATE transitions SET detail = ?, at ="
                    + " coalesce((SELECT min(n.at) FROM transitions n WHERE n.vm = transitions.vm AND n.id > ?), ?)"
                    + " WHERE id = ?")) {
                for (long id : lastFuture.values()) {
                    restate.setString(1, RESTATED);
                    restate.setLong(2, id);
                    restate.setLong(3, at);
                    restate.setLong(4, id);
                    restate.executeUpdate();
                }
            }
            try (PreparedStatement redate = connection.prepareStatement("UPDATE actions SET at = ? WHERE at > ?")) {
                redate.setLong(1, at);
                redate.setLong(2, at);
                redate.executeUpdate();
            }
            try (PreparedStatement meta = connection.prepareStatement(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('detail_from', ?)")) {
                meta.setString(1, today.toString());
                meta.executeUpdate();
            }
            return new int[] {days, future};
        });
        Logger.warn("the clock is behind the history: days from {} were folded while it ran ahead; removed {} daily"
                + " totals of days not yet come and restated {} transitions recorded in the future; detail is kept"
                + " from {} again (history recorded while the clock was wrong is approximate)", detailFrom, counts[0],
                counts[1], today);
        return true;
    }

    /** Sums the months from {@code first} on again from the daily totals. */
    private static void rebuildMonths(Connection connection, LocalDate first) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM monthly WHERE month >= ?")) {
            delete.setLong(1, first.toEpochDay());
            delete.executeUpdate();
        }
        List<DailyTotals> days = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT day, up_ms, down_ms, maintenance_ms,"
                + " stopped_ms, absent_ms, unmonitored_ms, outages, recoveries, recovery_ms, actions, open_at_start, vm"
                + " FROM daily WHERE day >= ?")) {
            query.setLong(1, first.toEpochDay());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    days.add(DailyTotals.read(rows.getString(13), rows));
                }
            }
        }
        for (DailyTotals day : days) {
            addToMonth(connection, day);
        }
    }

    private Optional<String> readMeta(String key) {
        return Optional.ofNullable(store.read("read meta", connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
                query.setString(1, key);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? rows.getString(1) : null;
                }
            }
        }));
    }

    private void writeMeta(String key, String value) {
        store.transaction("record " + key, connection -> {
            try (PreparedStatement meta = connection.prepareStatement(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")) {
                meta.setString(1, key);
                meta.setString(2, value);
                meta.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Folds everything before the UTC day of {@code before} into daily totals; returns how many VM
     * days were written. Cheap when there is nothing to fold.
     */
    public int compact(Instant before) {
        int written = fold(before);
        if (written > 0) {
            store.reclaimSpace();
        }
        return written;
    }

    private int fold(Instant before) {
        LocalDate boundary = before.atZone(ZoneOffset.UTC).toLocalDate();
        Instant cut = boundary.atStartOfDay(ZoneOffset.UTC).toInstant();
        return store.transaction("compact history", connection -> {
            int written = 0;
            for (String vm : vmsWithHistoryBefore(connection, cut)) {
                written += compactVm(connection, vm, cut);
            }
            try (PreparedStatement meta = connection.prepareStatement(
                    "INSERT INTO meta (key, value) VALUES ('detail_from', ?) ON CONFLICT (key) DO UPDATE SET"
                            + " value = max(value, excluded.value)")) {
                meta.setString(1, boundary.toString());
                meta.executeUpdate();
            }
            if (written > 0) {
                Logger.info("history before {} folded into {} daily totals", boundary, written);
            }
            return written;
        });
    }

    private static List<String> vmsWithHistoryBefore(Connection connection, Instant cut) throws SQLException {
        List<String> vms = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT DISTINCT vm FROM transitions"
                + " WHERE at < ? UNION SELECT DISTINCT vm FROM actions WHERE at < ?")) {
            query.setLong(1, cut.toEpochMilli());
            query.setLong(2, cut.toEpochMilli());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    vms.add(rows.getString(1));
                }
            }
        }
        return vms;
    }

    private static int compactVm(Connection connection, String vm, Instant cut) throws SQLException {
        List<Timeline.Point> before = new ArrayList<>();
        Timeline.Point after = null;
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT at, availability, detail FROM transitions WHERE vm = ? ORDER BY id")) {
            query.setString(1, vm);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Timeline.Point point = new Timeline.Point(Instant.ofEpochMilli(rows.getLong(1)),
                            Availability.valueOf(rows.getString(2)), CARRIED_OVER.equals(rows.getString(3)));
                    if (point.at().isBefore(cut)) {
                        before.add(point);
                    } else {
                        after = point;
                        break;
                    }
                }
            }
        }
        Map<LocalDate, Map<String, Integer>> actions = actionsByDay(connection, vm, cut);
        if (before.isEmpty() && actions.isEmpty()) {
            return 0;
        }
        Instant coveredUntil = after != null ? cut : min(cut, lastCheck(connection, vm));
        List<Timeline.Point> timeline = new ArrayList<>(before);
        if (after != null) {
            timeline.add(after);
        }
        LocalDate first = before.isEmpty() ? actions.keySet().iterator().next()
                : before.get(0).at().atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate last = cut.atZone(ZoneOffset.UTC).toLocalDate();
        int written = 0;
        Timeline.Packed packed = Timeline.Packed.of(timeline);
        for (LocalDate day = first; day.isBefore(last); day = day.plusDays(1)) {
            Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
            Timeline.Totals totals = Timeline.integrate(packed, start, start.plus(Duration.ofDays(1)),
                    coveredUntil, true);
            Map<String, Integer> dayActions = actions.getOrDefault(day, Map.of());
            if (totals.time().isEmpty() && totals.outages() == 0 && dayActions.isEmpty()) {
                continue;
            }
            add(connection, DailyTotals.of(vm, day, totals, dayActions));
            written++;
        }
        deleteBefore(connection, "transitions", vm, cut);
        deleteBefore(connection, "actions", vm, cut);
        if (!before.isEmpty() && (after == null || after.at().isAfter(cut))) {
            Timeline.Point state = before.get(before.size() - 1);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO transitions (vm, at, availability, detail) VALUES (?,?,?,?)")) {
                insert.setString(1, vm);
                insert.setLong(2, cut.toEpochMilli());
                insert.setString(3, state.availability().name());
                insert.setString(4, CARRIED_OVER);
                insert.executeUpdate();
            }
            // Keep recording order: the restated point must come before the ones after the cut.
            renumberAfter(connection, vm, cut);
        }
        return written;
    }

    private static Map<LocalDate, Map<String, Integer>> actionsByDay(Connection connection, String vm, Instant cut)
            throws SQLException {
        Map<LocalDate, Map<String, Integer>> days = new TreeMap<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT at, action FROM actions WHERE vm = ? AND at < ?")) {
            query.setString(1, vm);
            query.setLong(2, cut.toEpochMilli());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    LocalDate day = Instant.ofEpochMilli(rows.getLong(1)).atZone(ZoneOffset.UTC).toLocalDate();
                    days.computeIfAbsent(day, d -> new TreeMap<>()).merge(rows.getString(2), 1, Integer::sum);
                }
            }
        }
        return days;
    }

    private static Instant lastCheck(Connection connection, String vm) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT checked_at FROM vm_health WHERE vm = ?")) {
            query.setString(1, vm);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Instant.ofEpochMilli(rows.getLong(1)) : Instant.EPOCH;
            }
        }
    }

    private static void add(Connection connection, DailyTotals day) throws SQLException {
        DailyTotals merged = day;
        try (PreparedStatement query = connection.prepareStatement("SELECT day, up_ms, down_ms, maintenance_ms,"
                + " stopped_ms, absent_ms, unmonitored_ms, outages, recoveries, recovery_ms, actions, open_at_start"
                + " FROM daily WHERE vm = ? AND day = ?")) {
            query.setString(1, day.vm());
            query.setLong(2, day.day().toEpochDay());
            try (ResultSet rows = query.executeQuery()) {
                if (rows.next()) {
                    merged = sum(DailyTotals.read(day.vm(), rows), day);
                }
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT OR REPLACE INTO daily (vm, day, up_ms,"
                + " down_ms, maintenance_ms, stopped_ms, absent_ms, unmonitored_ms, outages, recoveries, recovery_ms,"
                + " actions, open_at_start) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            insert.setString(1, merged.vm());
            insert.setLong(2, merged.day().toEpochDay());
            insert.setLong(3, merged.of(Availability.UP).toMillis());
            insert.setLong(4, merged.of(Availability.DOWN).toMillis());
            insert.setLong(5, merged.of(Availability.MAINTENANCE).toMillis());
            insert.setLong(6, merged.of(Availability.STOPPED).toMillis());
            insert.setLong(7, merged.of(Availability.ABSENT).toMillis());
            insert.setLong(8, merged.of(Availability.UNMONITORED).toMillis());
            insert.setInt(9, merged.outages());
            insert.setInt(10, merged.recoveries());
            insert.setLong(11, merged.recoveryTime().toMillis());
            insert.setString(12, merged.actionsText());
            insert.setInt(13, merged.outageOpenAtStart() ? 1 : 0);
            insert.executeUpdate();
        }
        addToMonth(connection, day);
    }

    /** Adds a day's totals (what was just folded, not the merged row) to its month's sums. */
    private static void addToMonth(Connection connection, DailyTotals day) throws SQLException {
        long month = day.day().withDayOfMonth(1).toEpochDay();
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO monthly (vm, month, up_ms, down_ms,"
                + " maintenance_ms, stopped_ms, absent_ms, unmonitored_ms, outages, recoveries, recovery_ms, actions)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (vm, month) DO UPDATE SET"
                + " up_ms = up_ms + excluded.up_ms, down_ms = down_ms + excluded.down_ms,"
                + " maintenance_ms = maintenance_ms + excluded.maintenance_ms,"
                + " stopped_ms = stopped_ms + excluded.stopped_ms, absent_ms = absent_ms + excluded.absent_ms,"
                + " unmonitored_ms = unmonitored_ms + excluded.unmonitored_ms, outages = outages + excluded.outages,"
                + " recoveries = recoveries + excluded.recoveries, recovery_ms = recovery_ms + excluded.recovery_ms,"
                + " actions = CASE WHEN excluded.actions = '' THEN actions WHEN actions = '' THEN excluded.actions"
                + " ELSE actions || ';' || excluded.actions END")) {
            upsert.setString(1, day.vm());
            upsert.setLong(2, month);
            upsert.setLong(3, day.of(Availability.UP).toMillis());
            upsert.setLong(4, day.of(Availability.DOWN).toMillis());
            upsert.setLong(5, day.of(Availability.MAINTENANCE).toMillis());
            upsert.setLong(6, day.of(Availability.STOPPED).toMillis());
            upsert.setLong(7, day.of(Availability.ABSENT).toMillis());
            upsert.setLong(8, day.of(Availability.UNMONITORED).toMillis());
            upsert.setInt(9, day.outages());
            upsert.setInt(10, day.recoveries());
            upsert.setLong(11, day.recoveryTime().toMillis());
            upsert.setString(12, day.actionsText());
            upsert.executeUpdate();
        }
        if (!day.actions().isEmpty()) {
            // Keep the month's text short: "reboot=1;reboot=2" becomes "reboot=3".
            try (PreparedStatement tidy = connection.prepareStatement(
                    "SELECT actions FROM monthly WHERE vm = ? AND month = ?")) {
                tidy.setString(1, day.vm());
                tidy.setLong(2, month);
                try (ResultSet rows = tidy.executeQuery()) {
                    if (rows.next() && rows.getString(1).indexOf(';') >= 0) {
                        String text = DailyTotals.actionsText(DailyTotals.parseActions(rows.getString(1)));
                        try (PreparedStatement update = connection.prepareStatement(
                                "UPDATE monthly SET actions = ? WHERE vm = ? AND month = ?")) {
                            update.setString(1, text);
                            update.setString(2, day.vm());
                            update.setLong(3, month);
                            update.executeUpdate();
                        }
                    }
                }
            }
        }
    }

    private static DailyTotals sum(DailyTotals a, DailyTotals b) {
        Map<Availability, Duration> time = new java.util.EnumMap<>(Availability.class);
        for (Availability availability : Availability.values()) {
            time.put(availability, a.of(availability).plus(b.of(availability)));
        }
        Map<String, Integer> actions = new TreeMap<>(a.actions());
        b.actions().forEach((kind, n) -> actions.merge(kind, n, Integer::sum));
        return new DailyTotals(a.vm(), a.day(), time, a.outages() + b.outages(), a.recoveries() + b.recoveries(),
                a.recoveryTime().plus(b.recoveryTime()), actions, a.outageOpenAtStart() || b.outageOpenAtStart());
    }

    private static void deleteBefore(Connection connection, String table, String vm, Instant cut)
            throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM " + table + " WHERE vm = ? AND at < ?")) {
            delete.setString(1, vm);
            delete.setLong(2, cut.toEpochMilli());
            delete.executeUpdate();
        }
    }

    /** Moves the VM's transitions at or after the cut behind the restated one, keeping their order. */
    private static void renumberAfter(Connection connection, String vm, Instant cut) throws SQLException {
        try (PreparedStatement move = connection.prepareStatement("UPDATE transitions SET id = id + "
                + "(SELECT max(id) FROM transitions) WHERE vm = ? AND at >= ? AND coalesce(detail, '') <> ?")) {
            move.setString(1, vm);
            move.setLong(2, cut.toEpochMilli());
            move.setString(3, CARRIED_OVER);
            move.executeUpdate();
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
