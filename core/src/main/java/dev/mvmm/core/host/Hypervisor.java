package dev.mvmm.core.host;

import java.util.Map;
import java.util.Optional;

/**
 * The port through which mvmm sees and drives the VMs of this host. Implementations must be safe
 * to call from several threads at once.
 */
public interface Hypervisor extends AutoCloseable {

    /** Human-readable identity, such as {@code libvirt qemu:///system}. */
    String describe();

    /** Every VM this host knows, by name: running ones and defined ones that are shut off. */
    Map<String, VmStatus> list();

    /** One VM, or empty when this host does not know it (any more). */
    Optional<VmStatus> status(String vm);

    /**
     * The VM's state checked thoroughly, before mvmm acts on it. Backends whose {@link #status} is
     * a cheap approximation (Proxmox reads files) ask the hypervisor itself here.
     */
    default Optional<VmStatus> confirm(String vm) {
        return status(vm);
    }

    /**
     * Asks the guest to shut down (ACPI or agent). It may return before the VM is off; it returns
     * within about {@code timeout}; it does not fail because the guest ignored the request.
     */
    void shutdown(String vm, java.time.Duration timeout);

    /** Pulls the plug. */
    void destroy(String vm);

    /** Starts a shut-off VM. */
    void start(String vm);

    /** Hard reset, as the reset button of a real machine. */
    void reset(String vm);

    @Override
    void close();
}
