package dev.mvmm.core.host;

/** What the hypervisor says a VM is doing, in the vocabulary shared by every backend. */
public enum PowerState {
    RUNNING("running"),
    PAUSED("paused"),
    SHUTTING_DOWN("shutting down"),
    SHUT_OFF("shut off"),
    CRASHED("crashed"),
    SUSPENDED("suspended"),
    MIGRATING("migrating"),
    /** The hypervisor holds a lock on it (a Proxmox backup, snapshot or clone in progress). */
    LOCKED("locked"),
    UNKNOWN("unknown");

    private final String label;

    PowerState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
