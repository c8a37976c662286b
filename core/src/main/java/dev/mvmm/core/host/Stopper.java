package dev.mvmm.core.host;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.config.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * Brings a VM to shut off the way an operator would: ask the guest, wait, then pull the plug.
 * Shared by reboots, in-place restores, replication of a running source and patch's power cycle.
 */
public final class Stopper {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration DESTROY_WAIT = Duration.ofSeconds(30);

    private final Hypervisor hypervisor;
    private final Clock clock;
    private final Sleeper sleeper;

    public Stopper(Hypervisor hypervisor, Clock clock, Sleeper sleeper) {
        this.hypervisor = hypervisor;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * Graceful shutdown, then a hard stop if the guest has not powered off after {@code wait}.
     * Returns what happened, for logs and reports.
     *
     * @throws HypervisorBusyException when another task of the hypervisor holds the VM: nothing was done
     * @throws HypervisorException when the VM is still not shut off after the hard stop
     */
    public String stop(String vm, Duration wait) {
        StringBuilder story = new StringBuilder();
        Instant asked = clock.instant();
        try {
            Logger.tag(vm).info("asked the guest to shut down; waiting up to {}", Durations.format(wait));
            hypervisor.shutdown(vm, wait);
        } catch (HypervisorBusyException e) {
            // Someone else's task (an operator's shutdown, a migration) has the VM: a hard stop would cut it off.
            throw e;
        } catch (HypervisorException e) {
            Logger.tag(vm).warn("graceful shutdown refused ({}); stopping it hard", e.getMessage());
            story.append("graceful shutdown refused; ");
        }
        Duration left = wait.minus(Duration.between(asked, clock.instant()));
        if (story.length() == 0 && waitForShutOff(vm, left.isNegative() ? Duration.ZERO : left)) {
            return story.append("shut down gracefully").toString();
        }
        if (story.length() == 0) {
            story.append("no graceful shutdown within ").append(Durations.format(wait)).append("; ");
        }
        Logger.tag(vm).warn("stopping the VM hard");
        hypervisor.destroy(vm);
        if (!waitForShutOff(vm, DESTROY_WAIT)) {
            throw new HypervisorException("VM " + vm + " still runs " + Durations.format(DESTROY_WAIT)
                    + " after a hard stop", null);
        }
        return story.append("stopped hard").toString();
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
