package dev.mvmm.core.host;

import java.time.Instant;

/**
 * A VM as the hypervisor sees it now.
 *
 * @param name       the VM's name (libvirt domain name, Proxmox VMID)
 * @param state      its power state
 * @param runId      identifies the current run of the VM (libvirt domain id, QEMU process): it
 *                   changes when the VM is stopped and started again, so a restart by anyone can be
 *                   noticed; {@code null} when the VM is not running
 * @param persistent whether the VM is defined (survives being shut off)
 * @param startedAt  when the current run began, when the backend can tell; else {@code null}
 * @param label      the hypervisor's own name for the VM (Proxmox's VM name), or {@code null}
 */
public record VmStatus(String name, PowerState state, String runId, boolean persistent, Instant startedAt,
        String label) {

    public VmStatus(String name, PowerState state, String runId, boolean persistent) {
        this(name, state, runId, persistent, null, null);
    }

    public boolean isRunning() {
        return state == PowerState.RUNNING;
    }
}
