package dev.mvmm.core.store;

/**
 * What a VM's service was, from the point of view of the people using it. Recorded as
 * transitions; {@code stats} counts only {@link #DOWN} as downtime.
 */
public enum Availability {
    /** Running and answering its probes. */
    UP,
    /** Meant to run, but failing its probes (or being rebooted by mvmm). */
    DOWN,
    /** In maintenance: whatever the probes say, it is not downtime. */
    MAINTENANCE,
    /** Shut off, paused or crashed by someone else: not mvmm's to judge. */
    STOPPED,
    /** Not on this host (another node runs it, or it was undefined). */
    ABSENT,
    /** Disabled, or its configuration is invalid. */
    UNMONITORED
}
