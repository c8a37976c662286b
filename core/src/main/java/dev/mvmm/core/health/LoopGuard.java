package dev.mvmm.core.health;

import dev.mvmm.core.config.Durations;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.VmHealth;
import java.time.Instant;
import java.util.List;

/**
 * The loop guard as seen by commands other than check and monitor (patch --restart, replicate
 * --shutdown-source): a VM on hold, or one that had {@code max_reboots} power cycles within
 * {@code reboot_window}, is not power-cycled again by anyone.
 */
public final class LoopGuard {

    /** Every power cycle mvmm causes counts against max_reboots, whichever command caused it. */
    public static final List<String> GUARDED = List.of("reboot", "reset", "power-cycle");

    private LoopGuard() {
    }

    /** Null when a power cycle is allowed now; otherwise why not. */
    public static String refusal(HealthRepository health, String vm, HealthSettings settings, Instant now) {
        VmHealth.Hold hold = health.load(vm).map(VmHealth::hold).orElse(null);
        if (hold != null) {
            return vm + " is on hold since " + hold.since() + " (" + hold.reason() + "); release it with "
                    + "'mvmm maintenance clear " + vm + "' first";
        }
        int recent = health.countActions(vm, now.minus(settings.rebootWindow()), GUARDED);
        if (recent >= settings.maxReboots()) {
            return vm + " was power-cycled " + recent + " times within " + Durations.format(settings.rebootWindow())
                    + " (max_reboots=" + settings.maxReboots() + "); not again now";
        }
        return null;
    }
}
