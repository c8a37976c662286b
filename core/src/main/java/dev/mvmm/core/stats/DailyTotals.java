package dev.mvmm.core.stats;

import dev.mvmm.core.store.Availability;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Map;

/** One VM's availability on one UTC day, kept after the detail of that day is compacted away. */
public record DailyTotals(String vm, LocalDate day, Map<Availability, Duration> time, int outages,
        int recoveries, Duration recoveryTime, Map<String, Integer> actions, boolean outageOpenAtStart) {

    /** @param totals the day's totals, counting only outages that began that day */
    static DailyTotals of(String vm, LocalDate day, Timeline.Totals totals, Map<String, Integer> actions) {
        return new DailyTotals(vm, day, new EnumMap<>(totals.time()), totals.outages(), totals.recoveries(),
                totals.recoveryTime(), actions, totals.outageOpenAtStart());
    }

    /** {@code reboot=2;reset=1}, as stored. */
    String actionsText() {
        return actionsText(actions);
    }

    static String actionsText(Map<String, Integer> actions) {
        StringBuilder text = new StringBuilder();
        actions.forEach((kind, count) -> text.append(text.length() == 0 ? "" : ";").append(kind).append('=')
                .append(count));
        return text.toString();
    }

    /** Parses {@link #actionsText}; a kind named twice (months gathered from days) counts both. */
    static Map<String, Integer> parseActions(String text) {
        Map<String, Integer> actions = new java.util.TreeMap<>();
        if (text != null) {
            addActions(text, actions);
        }
        return actions;
    }

    /** Adds the counts of {@link #actionsText}s joined by {@code ;} to {@code into}. */
    static void addActions(String text, Map<String, Integer> into) {
        int length = text.length();
        for (int i = 0; i < length; ) {
            int end = text.indexOf(';', i);
            if (end < 0) {
                end = length;
            }
            int equals = text.lastIndexOf('=', end - 1);
            if (equals > i) {
                into.merge(text.substring(i, equals), Integer.parseInt(text, equals + 1, end, 10), Integer::sum);
            }
            i = end + 1;
        }
    }

    static DailyTotals read(String vm, ResultSet row) throws SQLException {
        Map<Availability, Duration> time = new EnumMap<>(Availability.class);
        time.put(Availability.UP, Duration.ofMillis(row.getLong(2)));
        time.put(Availability.DOWN, Duration.ofMillis(row.getLong(3)));
        time.put(Availability.MAINTENANCE, Duration.ofMillis(row.getLong(4)));
        time.put(Availability.STOPPED, Duration.ofMillis(row.getLong(5)));
        time.put(Availability.ABSENT, Duration.ofMillis(row.getLong(6)));
        time.put(Availability.UNMONITORED, Duration.ofMillis(row.getLong(7)));
        return new DailyTotals(vm, LocalDate.ofEpochDay(row.getLong(1)), time, row.getInt(8), row.getInt(9),
                Duration.ofMillis(row.getLong(10)), parseActions(row.getString(11)), row.getInt(12) == 1);
    }

    Duration of(Availability availability) {
        return time.getOrDefault(availability, Duration.ZERO);
    }
}
