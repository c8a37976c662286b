package dev.mvmm.core.maintenance;

import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.MaintenanceRepository;
import dev.mvmm.core.store.MaintenanceRepository.Window;
import dev.mvmm.core.store.VmHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * Maintenance windows (global or per VM, persisted, optionally expiring) and the operator's
 * release of a VM from hold. In maintenance nothing is rebooted; probes are still recorded.
 */
public final class Maintenance {

    private final MaintenanceRepository windows;
    private final HealthRepository health;
    private final Clock clock;

    public Maintenance(MaintenanceRepository windows, HealthRepository health, Clock clock) {
        this.windows = windows;
        this.health = health;
        this.clock = clock;
    }

    /** Starts (or replaces) a window; {@code length} {@code null} means until switched off. */
    public Window start(String scope, Duration length, String reason) {
        // Milliseconds, as the database keeps it: what is said now is what 'maintenance status' says later.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Window window = new Window(scope, now, length == null ? null : now.plus(length), reason);
        windows.put(window);
        Logger.tag(scope.equals(MaintenanceRepository.GLOBAL) ? null : scope).info("maintenance on{}{}",
                length == null ? "" : " until " + window.until(), reason == null ? "" : " (" + reason + ")");
        return window;
    }

    /** Ends a window; returns whether one was in force. */
    public boolean stop(String scope) {
        Instant now = clock.instant();
        Optional<Window> current = windows.all().stream().filter(w -> w.scope().equals(scope)).findFirst();
        boolean removed = windows.remove(scope);
        Logger.tag(scope.equals(MaintenanceRepository.GLOBAL) ? null : scope).info("maintenance off");
        return removed && current.map(w -> w.activeAt(now)).orElse(false);
    }

    public Optional<Window> global() {
        return windows.active(clock.instant()).stream().filter(Window::isGlobal).findFirst();
    }

    /** Status of the VMs named (every VM with a window or state when none is named). */
    public List<MaintenanceStatus> status(List<String> vms) {
        Instant now = clock.instant();
        windows.purgeExpired(now);
        List<Window> active = windows.active(now);
        Window global = active.stream().filter(Window::isGlobal).findFirst().orElse(null);
        Map<String, VmHealth> states = health.loadAll();
        List<String> names = new ArrayList<>(vms);
        if (names.isEmpty()) {
            active.stream().filter(w -> !w.isGlobal()).forEach(w -> names.add(w.scope()));
            states.values().stream().filter(s -> s.hold() != null && !names.contains(s.vm()))
                    .forEach(s -> names.add(s.vm()));
        }
        List<MaintenanceStatus> result = new ArrayList<>();
        for (String vm : names) {
            Window own = active.stream().filter(w -> w.scope().equals(vm)).findFirst().orElse(null);
            VmHealth state = states.get(vm);
            result.add(new MaintenanceStatus(vm, own, global, state == null ? null : state.hold()));
        }
        return result;
    }

    /**
     * Releases VMs from hold and restarts their loop-guard count and failure clock; with no names,
     * every VM on hold. Returns the VMs that were on hold.
     */
    public List<String> clear(List<String> vms) {
        Instant now = clock.instant();
        List<String> cleared = new ArrayList<>();
        List<VmHealth> changed = new ArrayList<>();
        List<HealthRepository.ActionRecord> records = new ArrayList<>();
        Map<String, VmHealth> states = health.loadAll();
        List<String> names = vms.isEmpty() ? new ArrayList<>(states.keySet()) : vms;
        for (String vm : names) {
            VmHealth state = states.get(vm);
            if (state == null || vms.isEmpty() && state.hold() == null) {
                continue;
            }
            if (state.hold() != null) {
                cleared.add(vm);
            }
            VmHealth.Builder next = state.toBuilder();
            next.hold = null;
            next.failingSince = null;
            changed.add(next.build());
            records.add(new HealthRepository.ActionRecord(vm, now, "clear", "ok", "cleared by an operator"));
            Logger.tag(vm).info("hold and failure counters cleared by an operator");
        }
        health.save(changed, List.of(), records);
        return cleared;
    }
}
