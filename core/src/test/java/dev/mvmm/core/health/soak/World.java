package dev.mvmm.core.health.soak;

import dev.mvmm.core.store.MaintenanceRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tinylog.Logger;

/**
 * Plays the {@link Plan}: opens and closes each VM's service on its script, puts maintenance
 * windows in the state database as another process would ('mvmm maintenance on --for'), and
 * decides, when mvmm has rebooted a VM, whether the reboot fixed its outage. Everything it did is
 * kept as the ground truth.
 */
public final class World implements AutoCloseable {

    private final Plan plan;
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<String, Plan.Fixes> fixes = new LinkedHashMap<>();
    private final Map<String, List<Span>> maintenance = new LinkedHashMap<>();
    private final List<Span> hostMaintenance = Collections.synchronizedList(new ArrayList<>());
    private final MaintenanceRepository operator;
    private final Clock clock;
    private final ScheduledExecutorService timer = new ScheduledThreadPoolExecutor(2, runnable -> {
        Thread thread = new Thread(runnable, "soak-world");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger rebootsFixing = new AtomicInteger();
    private final AtomicInteger rebootsNotFixing = new AtomicInteger();
    private final AtomicInteger rebootsWhileOpen = new AtomicInteger();
    private volatile Instant end = Instant.MAX;

    public World(Plan plan, List<Service> services, MaintenanceRepository operator, Clock clock) {
        this.plan = plan;
        this.operator = operator;
        this.clock = clock;
        for (int i = 0; i < services.size(); i++) {
            Service service = services.get(i);
            this.services.put(service.vm(), service);
            fixes.put(service.vm(), plan.fixes(i));
            maintenance.put(service.vm(), Collections.synchronizedList(new ArrayList<>()));
        }
    }

    /** Starts every script at {@code start}; nothing changes after {@code until}. */
    public void play(Instant start, Instant until) {
        end = until;
        int index = 0;
        for (Service service : services.values()) {
            Plan.Script script = plan.script(index++);
            service.measureFrom(start);
            schedule(start, () -> step(service, script, start));
        }
        for (Plan.Window window : plan.windows()) {
            schedule(start.plus(window.start()), () -> maintain(window));
        }
    }

    private void step(Service service, Plan.Script script, Instant due) {
        Plan.Phase phase = script.next();
        if (phase.open()) {
            service.open();
        } else {
            service.close();
        }
        Instant next = due.plus(phase.length());
        schedule(next, () -> step(service, script, next));
    }

    private void maintain(Plan.Window window) {
        Instant now = clock.instant();
        Instant until = now.plus(window.length());
        String scope = window.vm() == null ? MaintenanceRepository.GLOBAL : window.vm();
        operator.put(new MaintenanceRepository.Window(scope, now, until, "soak"));
        // In force once committed: the monitor is judged from here, with its polling latency on top.
        Span span = new Span(clock.instant(), until);
        if (window.vm() == null) {
            hostMaintenance.add(span);
        } else {
            maintenance.get(window.vm()).add(span);
        }
    }

    private void schedule(Instant at, Runnable task) {
        if (at.isAfter(end) || timer.isShutdown()) {
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        timer.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                Logger.error(e, "soak world step failed");
                throw e;
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * mvmm has just started {@code vm} again: an outage in progress ends now with the VM's chance,
     * or goes on as scripted. A service that was open stays open.
     */
    public void restarted(String vm) {
        Service service = services.get(vm);
        synchronized (service) {
            if (service.isOpen()) {
                rebootsWhileOpen.incrementAndGet();
            } else if (fixes.get(vm).next()) {
                rebootsFixing.incrementAndGet();
                service.open();
            } else {
                rebootsNotFixing.incrementAndGet();
            }
        }
    }

    /** The maintenance windows that applied to {@code vm}: its own and the host's. */
    public List<Span> maintenance(String vm) {
        List<Span> all = new ArrayList<>(maintenance.get(vm));
        all.addAll(hostMaintenance);
        return all;
    }

    public Service service(String vm) {
        return services.get(vm);
    }

    public int rebootsFixing() {
        return rebootsFixing.get();
    }

    public int rebootsNotFixing() {
        return rebootsNotFixing.get();
    }

    public int rebootsWhileOpen() {
        return rebootsWhileOpen.get();
    }

    public int windows() {
        return plan.windows().size();
    }

    /** Stops the scripts; services stay as they are. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
