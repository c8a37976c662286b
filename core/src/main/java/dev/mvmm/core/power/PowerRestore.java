package dev.mvmm.core.power;

import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.tinylog.Logger;

/**
 * Puts a VM back in the power state a {@link PowerMarker} records and removes the marker: the step
 * that finishes what a cut-off operation left. Called with the VM's lock held, so the operation that
 * wrote the marker is no longer running.
 */
public final class PowerRestore {

    /** What was done. */
    public enum Change {
        /** Started, as it was running before. */
        STARTED,
        /** Shut off again (a VM a backup had started paused). */
        SHUT_OFF,
        /** It already was as it had been; only the marker was removed. */
        NONE,
        /** Gone from this host; the marker was removed. */
        GONE,
        /** Not now (shutting down, a tool still working on it, or a state mvmm does not undo); marker kept. */
        LATER
    }

    public record Result(PowerMarker marker, Change change, String story) {
        public boolean changed() {
            return change == Change.STARTED || change == Change.SHUT_OFF;
        }
    }

    private final Hypervisor hypervisor;
    private final PowerMarkers markers;
    private final Function<String, Optional<ProcessHandle>> busyTool;
    private final Clock clock;

    /**
     * @param busyTool an external tool still working on the VM (a virtnbdbackup that outlived the mvmm
     *                 that started it): a VM it uses is not shut off under it
     */
    public PowerRestore(Hypervisor hypervisor, PowerMarkers markers,
            Function<String, Optional<ProcessHandle>> busyTool, Clock clock) {
        this.hypervisor = hypervisor;
        this.markers = markers;
        this.busyTool = busyTool;
        this.clock = clock;
    }

    /**
     * Puts the VM back as the marker says; the hypervisor's errors propagate with the marker kept.
     *
     * @param grace how long after the marker a VM asked to shut down may still be going down (the VM's
     *              wait_time and a margin): a running VM with a younger marker is looked at again later
     */
    public Result restore(PowerMarker marker, Duration grace) {
        String vm = marker.vm();
        String left = marker.describe();
        Optional<VmStatus> status = hypervisor.confirm(vm);
        if (status.isEmpty()) {
            markers.remove(vm);
            return new Result(marker, Change.GONE, "VM is gone from this host since " + left);
        }
        PowerState state = status.get().state();
        if (state == PowerState.RUNNING && marker.restoreTo() == PowerState.RUNNING
                && clock.instant().isBefore(marker.since().plus(grace))) {
            return new Result(marker, Change.LATER, "VM still runs, but " + left + " may have asked it to shut "
                    + "down; looked at again after " + marker.since().plus(grace));
        }
        if (state == marker.restoreTo()) {
            markers.remove(vm);
            return new Result(marker, Change.NONE, "VM is " + state.label() + " as before " + left);
        }
        if (marker.disksInFlux()) {
            return new Result(marker, Change.LATER, "VM is " + state.label() + ": " + left + " was cut off while it "
                    + "replaced the VM's disks, which may now be from two different times; mvmm does not start it: "
                    + "run 'mvmm restore --in-place " + vm + "' again (it replaces them all and starts the VM)");
        }
        if (marker.restoreTo() == PowerState.RUNNING) {
            if (state != PowerState.SHUT_OFF) {
                return new Result(marker, Change.LATER, "VM is " + state.label() + " after " + left
                        + "; started once it is shut off");
            }
            Logger.tag(vm).warn("VM is shut off: {} stopped it and was cut off; starting it", left);
            hypervisor.start(vm);
            markers.remove(vm);
            return new Result(marker, Change.STARTED, "started: " + left + " had stopped it and was cut off");
        }
        if (state != PowerState.PAUSED) {
            // Started paused for a backup and resumed by someone since: a guest now runs; never pull its plug.
            markers.remove(vm);
            return new Result(marker, Change.NONE, "VM is " + state.label() + " (not paused as " + left
                    + " left it): left as it is");
        }
        Optional<ProcessHandle> tool = busyTool.apply(vm);
        if (tool.isPresent()) {
            return new Result(marker, Change.LATER, "VM is paused by " + left + "; a tool (pid " + tool.get().pid()
                    + ") still works on it, shut off once it ends");
        }
        Logger.tag(vm).warn("VM is still paused from {}, which was cut off; shutting it off again", left);
        hypervisor.destroy(vm);
        markers.remove(vm);
        return new Result(marker, Change.SHUT_OFF, "shut off again: " + left + " had started it paused and was "
                + "cut off");
    }
}
