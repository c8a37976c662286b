package dev.mvmm.core.stats;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.VmHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@code mvmm stats}: uptime, downtime, outages, recovery and actions per VM over a window, from
 * the transitions {@code check} and {@code monitor} record, plus backup health.
 *
 * <p>Downtime is time in {@link Availability#DOWN}: the VM was meant to run and its services failed.
 * Maintenance, stopped-on-purpose and absent time are reported apart and are not downtime. Time
 * with no observation (before the first check, after the last one) is unknown. Windows that reach
 * past the detail retention use per-day totals for those days (the first of them in proportion).
 * Those are read on a second thread, on a connection of their own, while the main one reads the
 * detail: the two largest reads of a year's report overlap on a two-core host.
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

    /** One part of the history: detail transitions from a start, and daily totals before it. */
    private record History(Instant detailStart, Map<String, Timeline.Packed> points,
            Map<String, Timeline.Totals> daily, Map<String, Map<String, Integer>> actions) {
    }

    /**
     * @param vms        the VMs to report, in order
     * @param configured the VMs that have a configuration file
     * @param names      display names, by VM
     */
    public StatsReport report(List<String> vms, Set<String> configured, Map<String, String> names, Instant since) {
        return report(vms, configured, names, since, true);
    }

    /** @param lifetime also compute the all-time counters (outages, actions), which read all history */
    public StatsReport report(List<String> vms, Set<String> configured, Map<String, String> names, Instant since,
            boolean lifetime) {
        return report(vms, configured, names, since, clock.instant(), lifetime);
    }

    /** @param until the end of the window: now, read once by the caller that also computed {@code since} */
    public StatsReport report(List<String> vms, Set<String> configured, Map<String, String> names, Instant since,
            Instant until, boolean lifetime) {
        return report(() -> new Selection(vms, configured, names), since, until, lifetime);
    }

    /**
     * The VMs a report covers.
     *
     * @param vms        the VMs to report, in order
     * @param configured the VMs that have a configuration file
     * @param names      display names, by VM
     */
    public record Selection(List<String> vms, Set<String> configured, Map<String, String> names) {
    }

    /**
     * @param selection asked for once the history is read: a caller can read the configuration on a
     *                  second thread meanwhile (at 1,000 VMs both take tens of milliseconds)
     */
    public StatsReport report(Supplier<Selection> selection, Instant windowStart, Instant windowEnd,
            boolean lifetime) {
        // Transitions are recorded to the millisecond, and the report is worked out to it.
        Instant since = windowStart.truncatedTo(ChronoUnit.MILLIS);
        Instant until = windowEnd.truncatedTo(ChronoUnit.MILLIS);
        Map<String, VmHealth> states = health.loadAll();
        LocalDate detailFrom = stats.detailFrom();
        History window = history(since, until, detailFrom, null);
        // All time reads the same detail as a window that reaches into folded history: read it once.
        History all = lifetime ? history(Instant.EPOCH, until, detailFrom, window) : null;
        Map<String, BackupSummary> backups = stats.backups();
        Selection selected = selection.get();
        List<VmStats> list = new ArrayList<>();
        for (String vm : selected.vms()) {
            VmHealth current = states.get(vm);
            Timeline.Totals totals = totals(vm, since, until, current, window);
            Map<String, Integer> actions = window.actions().getOrDefault(vm, Map.of());
            Map<String, Long> actionTotals = new TreeMap<>();
            long outagesTotal = -1;
            if (all != null) {
                all.actions().getOrDefault(vm, Map.of()).forEach((kind, n) -> actionTotals.put(kind, (long) n));
                outagesTotal = totals(vm, Instant.EPOCH, until, current, all).outages();
            }
            list.add(new VmStats(vm, selected.names().getOrDefault(vm, vm), selected.configured().contains(vm),
                    current, totals, actions, actions.getOrDefault("hold", 0), actionTotals, outagesTotal,
                    backups.get(vm)));
        }
        return new StatsReport(since, until, list);
    }

    /** @param read a history already read, whose detail is reused when it starts at the same time */
    private History history(Instant since, Instant until, LocalDate detailFrom, History read) {
        Instant boundary = detailFrom == null ? since : detailFrom.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant detailStart = boundary.isAfter(since) ? boundary : since;
        CompletableFuture<StatsRepository.Folded> daily = since.isBefore(detailStart)
                ? CompletableFuture.supplyAsync(() -> stats.aside().folded(since, detailFrom), Statistics::thread)
                : CompletableFuture.completedFuture(StatsRepository.Folded.NONE);
        // A window from the start of the detail kept (or of all history) reads every transition.
        boolean everything = !detailStart.isAfter(detailFrom == null ? Instant.EPOCH : boundary);
        Map<String, Timeline.Packed> points = read != null && read.detailStart().equals(detailStart)
                ? read.points() : stats.points(detailStart, everything);
        Map<String, Map<String, Integer>> actions = new TreeMap<>(stats.actions(since, until));
        StatsRepository.Folded days = join(daily);
        days.actions().forEach((vm, counts) -> counts.forEach((kind, n) ->
                actions.computeIfAbsent(vm, v -> new TreeMap<>()).merge(kind, n, Integer::sum)));
        return new History(detailStart, points, days.sums(), actions);
    }

    private static void thread(Runnable work) {
        Thread thread = new Thread(work, "mvmm-stats");
        thread.setDaemon(true);
        thread.start();
    }

    private static StatsRepository.Folded join(CompletableFuture<StatsRepository.Folded> daily) {
        try {
            return daily.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static final Timeline.Packed NO_POINTS = new Timeline.Packed(new long[0], 0, 0);

    private static Timeline.Totals totals(String vm, Instant since, Instant until, VmHealth current,
            History history) {
        Instant coveredUntil = current == null ? since : current.checkedAt();
        Timeline.Totals detail = Timeline.integrate(history.points().getOrDefault(vm, NO_POINTS),
                history.detailStart(), until, coveredUntil, false);
        Timeline.Totals daily = history.daily().get(vm);
        if (!since.isBefore(history.detailStart()) || daily == null) {
            return since.isBefore(history.detailStart()) ? withUnknown(detail, since, until) : detail;
        }
        Map<Availability, Duration> time = new EnumMap<>(Availability.class);
        detail.time().forEach(time::put);
        daily.time().forEach((availability, duration) -> time.merge(availability, duration, Duration::plus));
        int outages = detail.outages() + daily.outages() + (daily.outageOpenAtStart() ? 1 : 0);
        return withUnknown(new Timeline.Totals(time, Duration.ZERO, outages, detail.recoveries() + daily.recoveries(),
                detail.recoveryTime().plus(daily.recoveryTime()), false), since, until);
    }

    private static Timeline.Totals withUnknown(Timeline.Totals totals, Instant since, Instant until) {
        Duration known = totals.time().values().stream().reduce(Duration.ZERO, Duration::plus);
        Duration unknown = Duration.between(since, until).minus(known);
        return new Timeline.Totals(totals.time(), unknown.isNegative() ? Duration.ZERO : unknown, totals.outages(),
                totals.recoveries(), totals.recoveryTime(), false);
    }
}
