package dev.mvmm.core.health;

import dev.mvmm.core.host.PowerState;
import java.time.Duration;

/** One VM's line in a check report. {@code power} and {@code latency} may be {@code null}. */
public record VmOutcome(String vm, String displayName, PowerState power, Verdict verdict, Duration latency) {
}
