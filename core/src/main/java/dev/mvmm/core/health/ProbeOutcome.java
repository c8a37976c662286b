package dev.mvmm.core.health;

import dev.mvmm.core.probe.PortResult;
import dev.mvmm.core.probe.PortTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A VM's probes summed up: healthy or not, the slowest answer, and what failed. */
public record ProbeOutcome(boolean healthy, Duration latency, String detail) {

    /** A VM without ports: running is all that is asked of it. */
    static ProbeOutcome runningOnly() {
        return new ProbeOutcome(true, null, "running (no ports configured)");
    }

    static List<PortTarget> targets(HealthSettings settings) {
        List<PortTarget> targets = new ArrayList<>();
        for (int port : settings.portsAll()) {
            targets.add(new PortTarget(settings.host(), port, settings.connectTimeout()));
        }
        for (int port : settings.portsAny()) {
            targets.add(new PortTarget(settings.host(), port, settings.connectTimeout()));
        }
        return targets;
    }

    /** {@code portsall}: every one must answer; {@code portsany}: at least one must. */
    static ProbeOutcome of(HealthSettings settings, Map<PortTarget, PortResult> results) {
        List<String> failures = new ArrayList<>();
        Duration slowest = Duration.ZERO;
        for (int port : settings.portsAll()) {
            PortResult result = results.get(new PortTarget(settings.host(), port, settings.connectTimeout()));
            if (result.open()) {
                slowest = max(slowest, result.latency());
            } else {
                failures.add("port " + port + " " + result.failure());
            }
        }
        if (!settings.portsAny().isEmpty()) {
            boolean anyOpen = false;
            List<String> anyFailures = new ArrayList<>();
            for (int port : settings.portsAny()) {
                PortResult result = results.get(new PortTarget(settings.host(), port, settings.connectTimeout()));
                if (result.open()) {
                    anyOpen = true;
                    slowest = max(slowest, result.latency());
                } else {
                    anyFailures.add(port + " " + result.failure());
                }
            }
            if (!anyOpen) {
                failures.add("no port of portsany answered (" + String.join("; ", anyFailures) + ")");
            }
        }
        if (failures.isEmpty()) {
            return new ProbeOutcome(true, slowest, "all ports answer");
        }
        return new ProbeOutcome(false, null, String.join("; ", failures));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
