package dev.mvmm.core.health;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.config.Durations;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.tinylog.Logger;

/** Carries out reboots and resets on the hypervisor, waiting as the configuration says. */
final class VmActions {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration DESTROY_WAIT = Duration.ofSeconds(30);

    private final Hypervisor hypervisor;
    private final Clock clock;
    private final Sleeper sleeper;

    VmActions(Hypervisor hypervisor, Clock clock, Sleeper sleeper) {
        this.hypervisor = hypervisor;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * Graceful shutdown, a hard stop if the guest has not powered off after {@code waitInterval},
     * then start. Returns a description of what happened.
     *
     * @throws HypervisorException when the VM could not be stopped or started
     */
    String reboot(String vm, Duration waitInterval) {
        StringBuilder story = new StringBuilder();
        Instant asked = clock.instant();
        try {
            Logger.tag(vm).info("asked the guest to shut down; waiting up to {}", Durations.format(waitInterval));
            hypervisor.shutdown(vm, waitInterval);
        } catch (HypervisorException e) {
            Logger.tag(vm).warn("graceful shutdown refused ({}); stopping it hard", e.getMessage());
            story.append("graceful shutdown refused; ");
        }
        Duration left = waitInterval.minus(Duration.between(asked, clock.instant()));
        if (story.length() == 0 && waitForShutOff(vm, left.isNegative() ? Duration.ZERO : left)) {
            story.append("shut down gracefully; ");
        } else {
            if (story.length() == 0) {
                story.append("no graceful shutdown within ").append(Durations.format(waitInterval)).append("; ");
            }
            Logger.tag(vm).warn("stopping the VM hard");
            hypervisor.destroy(vm);
            if (!waitForShutOff(vm, DESTROY_WAIT)) {
                throw new HypervisorException("VM " + vm + " still runs " + Durations.format(DESTROY_WAIT)
                        + " after a hard stop; not starting it", null);
            }
            story.append("stopped hard; ");
        }
        hypervisor.start(vm);
        Logger.tag(vm).info("started");
        return story.append("started").toString();
    }

    void reset(String vm) {
        hypervisor.reset(vm);
    }

    void start(String vm) {
        hypervisor.start(vm);
    }

    /** The VM's state after an action, for its new run id. */
    Optional<VmStatus> status(String vm) {
        return hypervisor.status(vm);
    }

    private boolean waitForShutOff(String vm, Duration limit) {
        Instant deadline = clock.instant().plus(limit);
        while (true) {
            Optional<VmStatus> status = hypervisor.status(vm);
            if (status.isEmpty() || status.get().state() == PowerState.SHUT_OFF) {
                return true;
            }
            if (!clock.instant().isBefore(deadline)) {
                return false;
            }
            sleeper.sleep(POLL);
        }
    }
}
