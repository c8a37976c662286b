package dev.mvmm.core.host;

/**
 * The hypervisor refused an operation because another of its own tasks holds the VM (Proxmox:
 * another {@code qm} task holds the VM's lock: an operator's shutdown, a migration, a backup
 * starting). Nothing was done; the VM must be left to that task, never stopped hard in its stead.
 */
public final class HypervisorBusyException extends HypervisorException {

    public HypervisorBusyException(String message, Throwable cause) {
        super(message, cause);
    }
}
