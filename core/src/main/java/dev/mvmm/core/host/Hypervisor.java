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
     *
     * @throws HypervisorBusyException when another task of the hypervisor holds the VM (nothing was done)
     */
    void shutdown(String vm, java.time.Duration timeout);

    /** Pulls the plug. */
    void destroy(String vm);

    /** Starts a shut-off VM. */
    void start(String vm);

    /** Hard reset, as the reset button of a real machine. */
    void reset(String vm);

    /** Starts a shut-off VM paused: its disks are in use but the guest does not run (for backups). */
    default void startPaused(String vm) {
        throw new HypervisorException("starting VM " + vm + " paused is not supported by " + describe(), null);
    }

    /** The VM's definition (libvirt domain XML); backups read its disks from it. */
    default String definition(String vm) {
        throw new HypervisorException("VM definitions are not available from " + describe()
                + "; backups need libvirt", null);
    }

    /** The VM's persistent definition, without what belongs to the running instance (for clones and edits). */
    default String inactiveDefinition(String vm) {
        return definition(vm);
    }

    /** Defines (or redefines, by UUID) a persistent VM from its XML; returns its name. */
    default String define(String xml) {
        throw new HypervisorException("defining VMs is not supported by " + describe(), null);
    }

    /** Removes a shut-off VM's definition (with its NVRAM and checkpoint metadata); its disks stay. */
    default void undefine(String vm) {
        throw new HypervisorException("undefining VMs is not supported by " + describe(), null);
    }

    /** libvirt's and the hypervisor's versions as {@code major * 1,000,000 + minor * 1,000 + release}. */
    default long[] versions() {
        return new long[] {0, 0};
    }

    /** The connection URI external tools (virsh, virtnbdbackup) should use, or null if none. */
    default String uri() {
        return null;
    }

    @Override
    void close();
}
