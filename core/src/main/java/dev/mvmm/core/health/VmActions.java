package dev.mvmm.core.health;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.Stopper;
import dev.mvmm.core.host.VmStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.tinylog.Logger;

/** Carries out reboots and resets on the hypervisor, waiting as the configuration says. */
final class VmActions {

    private final Hypervisor hypervisor;
    private final Stopper stopper;

    VmActions(Hypervisor hypervisor, Clock clock, Sleeper sleeper) {
        this.hypervisor = hypervisor;
        this.stopper = new Stopper(hypervisor, clock, sleeper);
    }

    /**
     * Graceful shutdown, a hard stop if the guest has not powered off after {@code waitInterval},
     * then start. Returns a description of what happened.
     *
     * @throws HypervisorException when the VM could not be stopped or started
     */
    String reboot(String vm, Duration waitInterval) {
        String story;
        try {
            story = stopper.stop(vm, waitInterval);
        } catch (HypervisorException e) {
            throw new HypervisorException(e.getMessage() + "; not starting it", e);
        }
        hypervisor.start(vm);
        Logger.tag(vm).info("started");
        return story + "; started";
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
}
