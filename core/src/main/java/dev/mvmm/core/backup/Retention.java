package dev.mvmm.core.backup;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which archived chains to keep, with Proxmox Backup Server's prune semantics, applied to whole
 * chains: the options are evaluated in the order last, daily, weekly (ISO weeks), monthly,
 * yearly; each keeps the newest chain of each of its last N periods that have a chain (periods
 * without one do not count), and does not look again at chains an earlier option kept or passed
 * over. Without any keep_* option, {@code max_chains} keeps the newest N (unset: all; 0: none).
 */
public final class Retention {

    /** The keep_* options; each is {@code null} when unset. */
    public record Policy(Integer last, Integer daily, Integer weekly, Integer monthly, Integer yearly) {

        public boolean isSet() {
            return last != null || daily != null || weekly != null || monthly != null || yearly != null;
        }
    }

    /** An archived chain and the time it stands for (its archive time). */
    public record Item(String name, Instant time) {
    }

    private Retention() {
    }

    /** The chains to keep; every other one may be deleted. */
    public static Set<String> keep(List<Item> items, Policy policy, Integer maxChains, ZoneId zone) {
        List<Item> newestFirst = new ArrayList<>(items);
        newestFirst.sort(Comparator.comparing(Item::time).reversed().thenComparing(Item::name,
                Comparator.reverseOrder()));
        Set<String> kept = new LinkedHashSet<>();
        if (!policy.isSet()) {
            newestFirst.stream().limit(maxChains == null ? Long.MAX_VALUE : maxChains)
                    .forEach(item -> kept.add(item.name()));
            return kept;
        }
        Map<String, Boolean> marks = new HashMap<>();
        mark(newestFirst, marks, policy.last(), Item::name);
        mark(newestFirst, marks, policy.daily(), item -> local(item, zone).toLocalDate().toString());
        mark(newestFirst, marks, policy.weekly(), item -> {
            LocalDateTime time = local(item, zone);
            return time.get(IsoFields.WEEK_BASED_YEAR) + "-W" + time.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        });
        mark(newestFirst, marks, policy.monthly(), item -> local(item, zone).getYear() + "-"
                + local(item, zone).getMonthValue());
        mark(newestFirst, marks, policy.yearly(), item -> Integer.toString(local(item, zone).getYear()));
        newestFirst.stream().filter(item -> Boolean.TRUE.equals(marks.get(item.name())))
                .forEach(item -> kept.add(item.name()));
        return kept;
    }

    /**
     * One keep option, as Proxmox Backup Server's prune does it: periods that already hold a kept
     * chain are used up; going from new to old, the first chain of each new period is kept until
     * {@code count} periods are, and the other chains of those periods are marked for removal, so
     * that later options only look at what is left.
     */
    private static void mark(List<Item> newestFirst, Map<String, Boolean> marks, Integer count,
            Function<Item, String> period) {
        if (count == null || count == 0) {
            return;
        }
        Set<String> alreadyIncluded = new HashSet<>();
        for (Item item : newestFirst) {
            if (Boolean.TRUE.equals(marks.get(item.name()))) {
                alreadyIncluded.add(period.apply(item));
            }
        }
        Set<String> included = new HashSet<>();
        for (Item item : newestFirst) {
            if (marks.containsKey(item.name())) {
                continue;
            }
            String id = period.apply(item);
            if (alreadyIncluded.contains(id)) {
                continue;
            }
            if (!included.contains(id)) {
                if (included.size() >= count) {
                    break;
                }
                included.add(id);
                marks.put(item.name(), true);
            } else {
                marks.put(item.name(), false);
            }
        }
    }

    private static LocalDateTime local(Item item, ZoneId zone) {
        return LocalDateTime.ofInstant(item.time(), zone);
    }
}
