package dev.mvmm.core.health;

import dev.mvmm.core.DirectoryIndex;
import dev.mvmm.core.config.ConfigException;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.Durations;
import dev.mvmm.core.config.Keys;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.lock.LockSurvey;
import dev.mvmm.core.power.PowerMarkers;
import dev.mvmm.core.store.MaintenanceRepository;
import dev.mvmm.core.store.VmHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * {@code mvmm monitor}: the decision logic of {@code check}, run continuously in one process. Each
 * VM has its own schedule ({@code check_interval} while healthy, {@code fail_interval} while
 * failing) and its own chain of steps: its probes complete on their own, its actions run on their
 * own threads, and a crash in its task is logged and retried with backoff. State lives in the same
 * database as {@code check}'s, so a host can switch between timer and daemon.
 *
 * <p>Cost per check is kept small (the monitor's CPU is the host's, every second of the day): each
 * VM's state is kept in memory and read from the database again only when another process has
 * written to it (SQLite's data version, polled twice a second); routine writes are gathered by a
 * {@link StateWriter} and committed a few times a second; a check's decision runs where its probe
 * completed, without one more hand-over between threads.
 */
public final class Monitor {

    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Duration EXTERNAL_POLL = Duration.ofMillis(500);
    private static final Duration MAINTENANCE_REREAD = Duration.ofSeconds(30);
    private static final Duration FLUSH_INTERVAL = Duration.ofMillis(250);
    /**
     * Checks fall due on this grid: the scheduler wakes once a slot and hands out every check due in
     * it, so a thousand VMs cost ten wake-ups a second rather than three thread hand-overs a check.
     * A check is at most this late, against intervals of a second or more.
     */
    static final Duration SLOT = Duration.ofMillis(100);
    /** Threads that check VMs (probes wait on none of them; actions have threads of their own). */
    private static final int WORKERS = 4;
    /** How long a running VM's status is reused while its probes pass. */
    static final Duration STATUS_REUSE = Duration.ofSeconds(30);

    private final HealthServices services;
    private final Supplier<Configuration> configuration;
    private final VmCheck steps;
    private final ActionRunner runner;
    private final PowerRepair power;
    /** The power markers' directory, looked at once a slot: a check asks it, not the file system. */
    private final DirectoryIndex markerFiles;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    /** Checks waiting for their slot, earliest first; guarded by itself. */
    private final java.util.PriorityQueue<Due> due = new java.util.PriorityQueue<>();
    private long dueOrder;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(named("schedule"));
    private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, named("worker"));
    private final ExecutorService actions = Executors.newCachedThreadPool(named("action"));
    private final ScheduledExecutorService store = Executors.newSingleThreadScheduledExecutor(named("store"));
    private final StateWriter writer;
    private final AtomicInteger runningActions = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile List<MaintenanceRepository.Window> maintenance = List.of();
    private volatile Instant maintenanceRead = Instant.EPOCH;
    /** Bumped whenever another process has written to the database: in-memory states are read again. */
    private volatile long epoch;
    private volatile long dataVersion = Long.MIN_VALUE;
    private volatile Instant dataVersionRead = Instant.EPOCH;

    public Monitor(HealthServices services, Supplier<Configuration> configuration) {
        this.services = services;
        this.configuration = configuration;
        // Lock files and markers are looked at once a slot: at most a slot's age, about what a
        // check that began a moment earlier would have seen, and every action takes the lock itself.
        LockSurvey locks = new LockSurvey(services.locks(), SLOT);
        this.steps = new VmCheck(services, locks::holder, this::recentActions);
        this.markerFiles = services.markers() == null ? null : new DirectoryIndex(services.markers().directory(), SLOT);
        this.runner = new ActionRunner(services, new VmActions(services.hypervisor(), services.clock(),
                services.sleeper()));
        this.power = new PowerRepair(services, runner);
        this.writer = new StateWriter(steps);
    }

    /** One VM's schedule and what it has seen since the monitor started. */
    static final class Watch {
        volatile VmConfig config;
        volatile HealthSettings settings;
        volatile boolean removed;
        volatile String lastVerdict = "pending";
        volatile String lastDetail = "";
        volatile Instant lastLog = Instant.EPOCH;
        volatile VmHealth lastState;
        /** The monitor's epoch when {@link #lastState} was read from the database or written by this watch. */
        volatile long epoch = -1;
        final AtomicInteger checks = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger acted = new AtomicInteger();
        final AtomicInteger crashes = new AtomicInteger();
        /** The VM's last status read while it was running, reused while its probes pass; null: read again. */
        volatile VmStatus status;
        volatile Instant statusAt = Instant.EPOCH;
        volatile boolean legacyMarkersRead;
        /**
         * A failed probe made on a reused status, waiting to be judged on a fresh one: the next tick
         * reads the VM again and decides on this outcome instead of probing a second time.
         */
        volatile ProbeOutcome failedOnReusedStatus;
        /** How much later than due the slot handed out this check (nanoseconds); taken off the next delay. */
        volatile long lateNanos;
        /** The loop-guarded actions read for a failing check; null: read them again. */
        volatile GuardedActions guarded;

        Watch(VmConfig config) {
            update(config);
        }

        void update(VmConfig config) {
            this.status = null;
            this.guarded = null;
            this.config = config;
            this.settings = HealthSettings.from(config.settings());
        }
    }

    /** A watch's next check: when (System.nanoTime) and, among equal times, in which order it was asked for. */
    private record Due(long atNanos, long order, Watch watch) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int byTime = Long.compare(atNanos - other.atNanos, 0);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    /** Loads the configuration and starts watching every enabled, valid VM. */
    public void start() {
        store.scheduleWithFixedDelay(writer::flushDue, FLUSH_INTERVAL.toMillis(), FLUSH_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(this::dispatchDue, SLOT.toNanos(), SLOT.toNanos(), TimeUnit.NANOSECONDS);
        apply(configuration.get(), true);
        Logger.info("monitor started: watching {} VMs on {}", watches.size(), services.hypervisor().describe());
    }

    /** SIGHUP: reads the configuration again; added, removed and changed VM files take effect. */
    public void reload() {
        Configuration fresh;
        try {
            fresh = configuration.get();
        } catch (ConfigException e) {
            Logger.error("configuration not reloaded, the old one stays in force: {}", e.getMessage());
            return;
        }
        apply(fresh, false);
        Logger.info("configuration reloaded: watching {} VMs", watches.size());
    }

    private synchronized void apply(Configuration config, boolean first) {
        Set<String> wanted = ConcurrentHashMap.newKeySet();
        int index = 0;
        for (VmConfig vm : config.vms()) {
            if (!vm.isValid()) {
                Logger.tag(vm.name()).error("not watched, configuration invalid: {}", vm.problems().stream()
                        .filter(p -> p.isError()).map(Object::toString).collect(Collectors.joining("; ")));
                continue;
            }
            vm.problems().forEach(problem -> Logger.tag(vm.name()).warn(problem));
            if (!vm.isEnabled()) {
                continue;
            }
            wanted.add(vm.name());
            Watch existing = watches.get(vm.name());
            if (existing != null) {
                existing.update(vm);
                continue;
            }
            Watch watch = new Watch(vm);
            watches.put(vm.name(), watch);
            if (!first) {
                Logger.tag(vm.name()).info("now watched");
            }
            // Spread the first checks over a second so a thousand VMs do not start in the same instant.
            schedule(watch, Duration.ofMillis(first ? (index++ * 7L) % 1000 : 0));
        }
        for (Watch watch : new ArrayList<>(watches.values())) {
            if (!wanted.contains(watch.config.name())) {
                watch.removed = true;
                watches.remove(watch.config.name());
                Logger.tag(watch.config.name()).info("no longer watched (its file was removed, disabled or broken)");
            }
        }
    }

    /** Checks the VM after {@code delay}: at once when zero, otherwise in the first slot after it. */
    private void schedule(Watch watch, Duration delay) {
        if (stopping || watch.removed) {
            return;
        }
        if (delay.isZero() || delay.isNegative()) {
            dispatch(watch);
            return;
        }
        // The slot's lateness is taken off, so checks keep the rhythm of their interval on average.
        long at = System.nanoTime() + delay.toNanos() - watch.lateNanos;
        watch.lateNanos = 0;
        synchronized (due) {
            due.add(new Due(at, dueOrder++, watch));
        }
    }

    /**
     * Runs on the scheduler once a slot: hands every check now due to the workers. Nothing may escape
     * it: a periodic task that throws is never run again, and no VM would be checked any more.
     */
    private void dispatchDue() {
        try {
            long now = System.nanoTime();
            List<Watch> ready = new ArrayList<>();
            synchronized (due) {
                for (Due next; (next = due.peek()) != null && next.atNanos() - now <= 0; ) {
                    due.poll();
                    next.watch().lateNanos = Math.min(now - next.atNanos(), SLOT.toNanos());
                    ready.add(next.watch());
                }
            }
            // A few tasks a slot, not one a check: each wakes a worker, whose probes then wake the
            // probe loop once.
            int tasks = Math.min(WORKERS, ready.size());
            for (int task = 0; task < tasks; task++) {
                List<Watch> share = ready.subList(ready.size() * task / tasks, ready.size() * (task + 1) / tasks);
                execute(() -> services.prober().batch(() -> share.forEach(this::tick)));
            }
        } catch (RuntimeException e) {
            Logger.error(e, "checks not handed out in this slot; trying again in the next");
        }
    }

    private void dispatch(Watch watch) {
        if (stopping || watch.removed) {
            return;
        }
        execute(() -> tick(watch));
    }

    private void execute(Runnable checks) {
        try {
            workers.execute(checks);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Stopping.
        }
    }

    private void tick(Watch watch) {
        if (stopping || watch.removed) {
            return;
        }
        VmConfig vm = watch.config;
        HealthSettings settings = watch.settings;
        ProbeOutcome probed = watch.failedOnReusedStatus;
        watch.failedOnReusedStatus = null;
        try {
            Instant now = services.clock().instant();
            VmHealth prior = current(watch, now);
            // A failing VM is read afresh at every check: its failure is judged on the hypervisor's word of now.
            VmStatus reused = prior.pending() == null && prior.failingSince() == null ? reusableStatus(watch, now)
                    : null;
            VmStatus status = reused != null ? reused : readStatus(watch, vm, now);
            Optional<dev.mvmm.core.power.PowerMarker> marker = powerMarker(watch, status);
            if (marker.isPresent()) {
                boolean maintenance = inMaintenance(vm.name());
                runAction(watch, () -> power.repair(vm, status, prior, maintenance), prior);
                return;
            }
            if (prior.pending() != null) {
                runAction(watch, () -> runner.complete(vm, status, prior, settings), prior);
                return;
            }
            Optional<Verdict.Skipped> skip = steps.skipReason(vm, status);
            if (skip.isPresent()) {
                record(watch, prior, steps.skipped(prior, skip.get(), status, now), skip.get());
                schedule(watch, settings.schedule().checkInterval());
                return;
            }
            CompletableFuture<ProbeOutcome> probe = probed != null && reused == null
                    ? CompletableFuture.completedFuture(probed)
                    : settings.hasPorts()
                            ? services.prober().submit(ProbeOutcome.targets(settings))
                                    .thenApply(results -> ProbeOutcome.of(settings, results))
                            : CompletableFuture.completedFuture(ProbeOutcome.runningOnly());
            // Deciding costs microseconds and blocks on nothing (states are queued, actions get threads
            // of their own): it runs on the thread that completed the probe.
            probe.thenAccept(outcome -> {
                if (reused != null && !outcome.healthy()) {
                    // A failure is judged on the hypervisor's word of now, not on a status read earlier:
                    // the VM is read again (and its marker, lock and maintenance looked at) on a worker,
                    // which then decides on this probe's outcome.
                    watch.status = null;
                    watch.failedOnReusedStatus = outcome;
                    schedule(watch, Duration.ZERO);
                    return;
                }
                decide(watch, vm, status, prior, outcome, settings);
            })
                    .exceptionally(error -> {
                        crashed(watch, error);
                        return null;
                    });
        } catch (RuntimeException e) {
            crashed(watch, e);
        }
    }

    /**
     * A running VM's status read less than {@link #STATUS_REUSE} ago, or null. While its probes pass,
     * nothing a fresh read could show changes the decision: a VM stopped, paused or gone fails its
     * probes (and is then read again), and an action reads the VM again before it acts. At
     * {@code check_interval=2} this spares the hypervisor fourteen reads in fifteen.
     */
    private VmStatus reusableStatus(Watch watch, Instant now) {
        VmStatus status = watch.status;
        if (status == null || !status.isRunning()) {
            return null;
        }
        Duration age = Duration.between(watch.statusAt, now);
        return age.isNegative() || age.compareTo(STATUS_REUSE) >= 0 ? null : status;
    }

    private VmStatus readStatus(Watch watch, VmConfig vm, Instant now) {
        VmStatus status = services.hypervisor().status(vm.name()).orElse(null);
        watch.status = status;
        watch.statusAt = now;
        return status;
    }

    /** The VM's power marker; old-style ones (in backup_path) are looked for once per VM and process. */
    private Optional<dev.mvmm.core.power.PowerMarker> powerMarker(Watch watch, VmStatus status) {
        if (watch.legacyMarkersRead || status == null || status.state() == dev.mvmm.core.host.PowerState.RUNNING) {
            String vm = watch.config.name();
            boolean mayHave = markerFiles != null && dev.mvmm.core.VmNames.isSafe(vm)
                    && markerFiles.mayContain(PowerMarkers.fileName(vm));
            return mayHave ? services.markers().read(vm) : Optional.empty();
        }
        watch.legacyMarkersRead = true;
        return power.marker(watch.config, status);
    }

    private void decide(Watch watch, VmConfig vm, VmStatus status, VmHealth prior, ProbeOutcome probe,
            HealthSettings settings) {
        if (stopping || watch.removed) {
            return;
        }
        HealthPolicy.Decision decision = steps.decide(vm, status, prior, probe, inMaintenance(vm.name()), settings);
        if (VmCheck.needsRunner(decision)) {
            runAction(watch, () -> runner.act(vm, status, prior, decision, settings), prior);
            return;
        }
        if (VmCheck.worthAnnouncing(prior, decision)) {
            runner.announce(vm, decision.verdict());
        }
        record(watch, prior, decision.next(), decision.verdict());
        schedule(watch, probe.healthy() ? settings.schedule().checkInterval() : watch.config.settings()
                .get(Keys.FAIL_INTERVAL));
    }

    /** Actions run on their own threads: one VM's slow reboot never holds up another's checks. */
    private void runAction(Watch watch, Supplier<ActionRunner.Result> action, VmHealth prior) {
        runningActions.incrementAndGet();
        try {
            actions.execute(() -> {
                try {
                    // The action reads the VM's state from the database: it must see every queued one.
                    writer.flush();
                    watch.status = null;
                    ActionRunner.Result result = action.get();
                    // Whatever the action recorded counts for the loop guard from the next check on.
                    watch.guarded = null;
                    if (result.outcome() != null) {
                        if (tookAction(result.outcome().verdict())) {
                            watch.acted.incrementAndGet();
                        }
                        record(watch, prior, result.state(), result.outcome().verdict());
                        schedule(watch, watch.settings.schedule().checkInterval());
                    } else {
                        steps.save(Map.of(prior.vm(), prior), List.of(result.state()));
                        remember(watch, result.state());
                        schedule(watch, Duration.ZERO);
                    }
                } catch (RuntimeException e) {
                    watch.guarded = null;
                    crashed(watch, e);
                } finally {
                    runningActions.decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            runningActions.decrementAndGet();
        }
    }

    /** Whether the action runner acted (or tried to), rather than finding a reason not to. */
    private static boolean tookAction(Verdict verdict) {
        return verdict instanceof Verdict.ActionTaken || verdict instanceof Verdict.Restarted
                || verdict instanceof Verdict.ActionFailed;
    }

    private void record(Watch watch, VmHealth prior, VmHealth next, Verdict verdict) {
        if (next != null) {
            writer.add(prior, next);
            remember(watch, next);
        }
        watch.crashes.set(0);
        watch.checks.incrementAndGet();
        if (verdict.severity() == Severity.WARNING || verdict.severity() == Severity.CRITICAL) {
            watch.failures.incrementAndGet();
        }
        boolean changed = !verdict.kind().equals(watch.lastVerdict);
        watch.lastVerdict = verdict.kind();
        watch.lastDetail = verdict.detail();
        VmOutcome outcome = VmCheck.outcome(watch.config, null, verdict, null);
        Instant now = services.clock().instant();
        if (changed && verdict.severity() == Severity.OK) {
            Logger.tag(watch.config.name()).info("{}: {}", verdict.kind(), verdict.detail());
        } else if (changed || verdict.severity() != Severity.OK) {
            VmCheck.log(outcome);
        }
        Duration logInterval = watch.config.settings().get(Keys.LOG_INTERVAL);
        if (Duration.between(watch.lastLog, now).compareTo(logInterval) >= 0) {
            watch.lastLog = now;
            Logger.tag(watch.config.name()).info("still running: {}{}", verdict.kind(), uptime(next));
        }
    }

    private void crashed(Watch watch, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        int crashes = watch.crashes.incrementAndGet();
        long seconds = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(crashes - 1, 16));
        Logger.tag(watch.config.name()).error(cause, "check failed (attempt {}); retrying in {}s", crashes, seconds);
        schedule(watch, Duration.ofSeconds(seconds));
    }

    /**
     * When a VM's loop-guarded actions at or after {@code from} were taken (epoch milliseconds), as
     * read in the monitor's {@code epoch}: new ones come only from this monitor's actions (after
     * which the watch forgets these) or from another process's write (which starts a new epoch).
     */
    record GuardedActions(long epoch, Instant from, long[] times) {
    }

    /**
     * The loop guard's count for a failing check, from the actions read at the VM's first failing
     * check rather than a query at each one.
     */
    private int recentActions(String vm, Instant since) {
        Watch watch = watches.get(vm);
        if (watch == null) {
            return services.health().countActions(vm, since, ActionRunner.LOOP_GUARDED);
        }
        long seen = epoch;
        GuardedActions known = watch.guarded;
        if (known == null || known.epoch() != seen || since.isBefore(known.from())) {
            known = new GuardedActions(seen, since,
                    services.health().actionTimes(vm, since, ActionRunner.LOOP_GUARDED));
            watch.guarded = known;
        }
        long from = since.toEpochMilli();
        int count = 0;
        for (long at : known.times()) {
            if (at >= from) {
                count++;
            }
        }
        return count;
    }

    /** The VM's state: the one this monitor last saw, unless another process has written since. */
    private VmHealth current(Watch watch, Instant now) {
        pollExternalWrites(now);
        long seen = epoch;
        VmHealth known = watch.lastState;
        if (known != null && watch.epoch == seen) {
            return known;
        }
        String vm = watch.config.name();
        writer.flush(vm);
        VmHealth loaded = services.health().load(vm).orElse(VmHealth.fresh(vm, now));
        watch.lastState = loaded;
        watch.epoch = seen;
        return loaded;
    }

    private void remember(Watch watch, VmHealth state) {
        watch.lastState = state;
        watch.epoch = epoch;
    }

    /**
     * At most twice a second, asks SQLite whether another process ('mvmm maintenance', 'check', a
     * restore...) has committed; if so, queued changes are written first (routine ones, only check
     * times, are dropped, not written over what the other process wrote) and every VM's state and
     * the maintenance windows are read again.
     */
    private void pollExternalWrites(Instant now) {
        if (Duration.between(dataVersionRead, now).compareTo(EXTERNAL_POLL) < 0) {
            return;
        }
        synchronized (this) {
            if (Duration.between(dataVersionRead, now).compareTo(EXTERNAL_POLL) < 0) {
                return;
            }
            long version = services.health().dataVersion();
            if (version != dataVersion) {
                writer.dropRoutine();
                writer.flush();
                dataVersion = version;
                epoch++;
                maintenanceRead = Instant.EPOCH;
            }
            dataVersionRead = now;
        }
    }

    private boolean inMaintenance(String vm) {
        Instant now = services.clock().instant();
        pollExternalWrites(now);
        if (Duration.between(maintenanceRead, now).compareTo(MAINTENANCE_REREAD) >= 0) {
            maintenance = services.maintenance().active(now);
            maintenanceRead = now;
        }
        for (MaintenanceRepository.Window window : maintenance) {
            if (window.activeAt(now) && (window.isGlobal() || window.scope().equals(vm))) {
                return true;
            }
        }
        return false;
    }

    /** SIGUSR2: toggles the host's maintenance (persisted, as 'mvmm maintenance on|off'); returns the new state. */
    public boolean toggleMaintenance() {
        MaintenanceRepository repository = services.maintenance();
        Instant now = services.clock().instant();
        boolean on = repository.active(now).stream().anyMatch(MaintenanceRepository.Window::isGlobal);
        if (on) {
            repository.remove(MaintenanceRepository.GLOBAL);
        } else {
            repository.put(new MaintenanceRepository.Window(MaintenanceRepository.GLOBAL, now, null,
                    "toggled by SIGUSR2"));
        }
        maintenanceRead = Instant.EPOCH;
        Logger.info("host maintenance {} (SIGUSR2)", on ? "off" : "on");
        return !on;
    }

    /** One VM's figures for SIGUSR1. */
    public record VmStatistics(String vm, String verdict, String detail, int checks, int failures, int actions,
            String uptime) {
    }

    public List<VmStatistics> statistics() {
        List<VmStatistics> list = new ArrayList<>();
        for (Watch watch : watches.values()) {
            list.add(new VmStatistics(watch.config.name(), watch.lastVerdict, watch.lastDetail, watch.checks.get(),
                    watch.failures.get(), watch.acted.get(), uptime(watch.lastState)));
        }
        list.sort(java.util.Comparator.comparing(VmStatistics::vm));
        return list;
    }

    /** SIGUSR1: logs every VM's figures. */
    public void logStatistics() {
        Logger.info("monitor: {} VMs watched, {} actions running, host maintenance {}", watches.size(),
                runningActions.get(), inMaintenance("") ? "on" : "off");
        for (VmStatistics stats : statistics()) {
            Logger.tag(stats.vm()).info("{}{}; {} checks, {} failing, {} actions since start; {}", stats.verdict(),
                    stats.uptime(), stats.checks(), stats.failures(), stats.actions(), stats.detail());
        }
    }

    public int watched() {
        return watches.size();
    }

    /**
     * SIGTERM: stops checking, lets actions in progress finish (so no VM mvmm stopped is left
     * stopped) for up to {@code grace}, then returns. A reboot cut off after that is finished by the
     * next run through its pending marker.
     */
    public void stop(Duration grace) {
        stopping = true;
        scheduler.shutdownNow();
        store.shutdown();
        workers.shutdown();
        actions.shutdown();
        try {
            if (runningActions.get() > 0) {
                Logger.info("waiting up to {} for {} actions in progress", Durations.format(grace),
                        runningActions.get());
            }
            if (!actions.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                Logger.error("actions still running after {}; the next mvmm run finishes them",
                        Durations.format(grace));
            }
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            workers.shutdownNow();
            actions.shutdownNow();
            writer.flush();
            stopped.countDown();
            Logger.info("monitor stopped");
        }
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private String uptime(VmHealth state) {
        if (state == null || state.runStartedAt() == null || state.runId() == null) {
            return "";
        }
        return ", up " + Durations.format(Duration.between(state.runStartedAt(), services.clock().instant()));
    }

    private static ThreadFactory named(String role) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "mvmm-" + role + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
