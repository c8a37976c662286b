package dev.mvmm.core.host;

/**
 * A VM as the hypervisor sees it now.
 *
 * @param name       the VM's name (libvirt domain name, Proxmox VMID)
 * @param state      its power state
 * @param runId      identifies the current run of the VM (libvirt domain id): it changes when the
 *                   VM is stopped and started again, so a restart by anyone can be noticed;
 *                   {@code null} when the VM is not running
 * @param persistent whether the VM is defined (survives being shut off)
 */
public record VmStatus(String name, PowerState state, String runId, boolean persistent) {

    public boolean isRunning() {
        return state == PowerState.RUNNING;
    }
}
