package dev.mvmm.core.stats;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.VmHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code mvmm stats}: uptime, downtime, outages, recovery and actions per VM over a window, from
 * the transitions {@code check} and {@code monitor} record, plus backup health.
 *
 * <p>Downtime is time in {@link Availability#DOWN}: the VM was meant to run and its services failed.
 * Maintenance, stopped-on-purpose and absent time are reported apart and are not downtime. Time
 * with no observation (before the first check, after the last one) is unknown. Windows that reach
 * past the detail retention use per-day totals for those days.
 */
public final class Statistics {

    private final StatsRepository stats;
    private final HealthRepository health;
    private final Clock clock;

    public Statistics(StatsRepository stats, HealthRepository health, Clock clock) {
        this.stats = stats;
        this.health = health;
        this.clock = clock;
    }

    /**
     * @param vms        the VMs to report, in order
     * @param configured the VMs that have a configuration file
     * @param names      display names, by VM
     */
    public StatsReport report(List<String> vms, Set<String> configured, Map<String, String> names, Instant since) {
        Instant until = clock.instant();
        Map<String, VmHealth> states = health.loadAll();
        LocalDate detailFrom = stats.detailFrom();
        List<VmStats> list = new ArrayList<>();
        for (String vm : vms) {
            VmHealth current = states.get(vm);
            Timeline.Totals totals = totals(vm, since, until, current, detailFrom);
            Map<String, Integer> actions = new TreeMap<>(stats.actions(vm, since, until));
            int holds = actions.getOrDefault("hold", 0);
            Map<String, Long> actionTotals = stats.actionTotals(vm);
            long outagesTotal = totals(vm, Instant.EPOCH, until, current, detailFrom).outages();
            list.add(new VmStats(vm, names.getOrDefault(vm, vm), configured.contains(vm), current, totals, actions,
                    holds, actionTotals, outagesTotal, stats.backups(vm)));
        }
        return new StatsReport(since, until, list);
    }

    private Timeline.Totals totals(String vm, Instant since, Instant until, VmHealth current, LocalDate detailFrom) {
        Instant coveredUntil = current == null ? since : current.checkedAt();
        Instant detailStart = detailFrom == null ? since : max(since, detailFrom.atStartOfDay(ZoneOffset.UTC)
                .toInstant());
        Timeline.Totals detail = Timeline.integrate(stats.points(vm, detailStart), detailStart, until, coveredUntil);
        if (!since.isBefore(detailStart)) {
            return detail;
        }
        Map<Availability, Duration> time = new EnumMap<>(detail.time());
        int outages = detail.outages();
        int recoveries = detail.recoveries();
        Duration recoveryTime = detail.recoveryTime();
        LocalDate from = since.atZone(ZoneOffset.UTC).toLocalDate();
        List<DailyTotals> days = stats.daily(vm, from, detailFrom);
        if (!days.isEmpty() && days.get(0).day().equals(from) && days.get(0).outageOpenAtStart()) {
            outages++;
        }
        for (DailyTotals day : days) {
            day.time().forEach((availability, duration) -> time.merge(availability, duration, Duration::plus));
            outages += day.outages();
            recoveries += day.recoveries();
            recoveryTime = recoveryTime.plus(day.recoveryTime());
        }
        Duration known = time.values().stream().reduce(Duration.ZERO, Duration::plus);
        Duration unknown = Duration.between(since, until).minus(known);
        return new Timeline.Totals(time, unknown.isNegative() ? Duration.ZERO : unknown, outages, recoveries,
                recoveryTime, false);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
