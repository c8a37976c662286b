package dev.mvmm.core.power;

import dev.mvmm.core.host.PowerState;
import java.time.Instant;

/**
 * mvmm is changing, or changed and has not yet put back, a VM's power state: written before a backup
 * starts a shut-off VM paused, an in-place restore or {@code replicate --shutdown-source} stops it,
 * or {@code patch --restart} power-cycles it, and removed once the VM is as it was. Whoever holds the
 * VM's lock next and finds it knows that the VM is not in its own state and what that state is.
 *
 * @param restoreTo the state the VM was in before: {@link PowerState#RUNNING} or {@link PowerState#SHUT_OFF}
 * @param operation what changed it, for messages ({@code restore --in-place})
 * @param pid       the mvmm process that changed it
 */
public record PowerMarker(String vm, String operation, PowerState restoreTo, Instant since, long pid) {

    public PowerMarker {
        if (restoreTo != PowerState.RUNNING && restoreTo != PowerState.SHUT_OFF) {
            throw new IllegalArgumentException("a VM is put back running or shut off, not " + restoreTo);
        }
    }

    /**
     * The operation of an in-place restore while it replaces a VM's disks one after another: cut off
     * then, the VM may have disks from two different times, and only a restore may start it again.
     */
    public static final String REPLACING_DISKS = "restore --in-place, replacing its disks";

    /** Whether the VM's disks may be from different times (see {@link #REPLACING_DISKS}). */
    public boolean disksInFlux() {
        return REPLACING_DISKS.equals(operation);
    }

    /** A marker for this process, now. */
    public static PowerMarker of(String vm, String operation, PowerState restoreTo, Instant now) {
        return new PowerMarker(vm, operation, restoreTo, now, ProcessHandle.current().pid());
    }

    /** "the in-place restore begun at ... (pid N)" as a phrase for logs. */
    public String describe() {
        return "the " + operation + " begun at " + since + (pid > 0 ? " (pid " + pid + ")" : "");
    }
}
