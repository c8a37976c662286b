package dev.mvmm.core.support;

import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.VmStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory hypervisor for unit tests of the decision and action logic. Guests ignore ACPI
 * shutdown unless told to obey it, like the firmware-only VMs of the real test bed.
 */
public final class FakeHypervisor implements Hypervisor {

    private final Map<String, VmStatus> vms = new LinkedHashMap<>();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private int nextId = 1;
    private boolean guestsObeyShutdown;
    private String failStartOf;
    private String explodeOn;
    private PowerState confirmedAs;
    private Runnable beforeConfirm = () -> { };
    private final java.util.Map<String, Integer> statusFailures = new java.util.HashMap<>();
    private final Map<String, String> definitions = new LinkedHashMap<>();
    private final Map<String, String> inactiveDefinitions = new LinkedHashMap<>();
    private long[] versions = {0, 0};
    private final java.util.concurrent.atomic.AtomicInteger statusReads = new java.util.concurrent.atomic.AtomicInteger();

    /** How many times {@link #status} was asked. */
    public int statusReads() {
        return statusReads.get();
    }

    public FakeHypervisor running(String... names) {
        for (String name : names) {
            vms.put(name, new VmStatus(name, PowerState.RUNNING, Integer.toString(nextId++), true));
        }
        return this;
    }

    public FakeHypervisor shutOff(String... names) {
        for (String name : names) {
            vms.put(name, new VmStatus(name, PowerState.SHUT_OFF, null, true));
        }
        return this;
    }

    public FakeHypervisor paused(String name) {
        vms.put(name, new VmStatus(name, PowerState.PAUSED, Integer.toString(nextId++), true));
        return this;
    }

    public FakeHypervisor guestsObeyShutdown() {
        guestsObeyShutdown = true;
        return this;
    }

    public FakeHypervisor failStartOf(String name) {
        failStartOf = name;
        return this;
    }

    /** Makes any action on the VM fail with an unexpected exception (a bug, a broken library). */
    public FakeHypervisor explodeOn(String name) {
        explodeOn = name;
        return this;
    }

    /** What a thorough look just before an action finds (the VM was paused meanwhile, say). */
    public FakeHypervisor confirmAs(PowerState state) {
        confirmedAs = state;
        return this;
    }

    /** Runs {@code meanwhile} when mvmm takes its thorough look before acting (another process acting then). */
    public FakeHypervisor beforeConfirm(Runnable meanwhile) {
        beforeConfirm = meanwhile;
        return this;
    }

    @Override
    public synchronized Optional<VmStatus> confirm(String vm) {
        beforeConfirm.run();
        VmStatus status = vms.get(vm);
        if (confirmedAs == null || status == null) {
            return Optional.ofNullable(status);
        }
        return Optional.of(new VmStatus(vm, confirmedAs, status.runId(), true));
    }

    public List<String> calls() {
        return List.copyOf(calls);
    }

    public String runId(String name) {
        return vms.get(name).runId();
    }

    public PowerState state(String name) {
        return vms.get(name).state();
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public synchronized Map<String, VmStatus> list() {
        return new LinkedHashMap<>(vms);
    }

    @Override
    public synchronized Optional<VmStatus> status(String vm) {
        statusReads.incrementAndGet();
        Integer failures = statusFailures.get(vm);
        if (failures != null && failures > 0) {
            statusFailures.put(vm, failures - 1);
            throw new IllegalStateException("status of " + vm + " exploded");
        }
        return Optional.ofNullable(vms.get(vm));
    }

    /** The next {@code times} status reads of the VM throw, like a bug in a backend would. */
    public synchronized FakeHypervisor failStatus(String name, int times) {
        statusFailures.put(name, times);
        return this;
    }

    /** Removes a VM (migrated away) or adds one back. */
    public synchronized void remove(String name) {
        vms.remove(name);
    }

    @Override
    public synchronized void shutdown(String vm, java.time.Duration timeout) {
        calls.add("shutdown " + vm);
        if (vm.equals(explodeOn)) {
            throw new IllegalStateException("boom");
        }
        if (guestsObeyShutdown) {
            vms.put(vm, new VmStatus(vm, PowerState.SHUT_OFF, null, true));
        }
    }

    @Override
    public synchronized void destroy(String vm) {
        calls.add("destroy " + vm);
        vms.put(vm, new VmStatus(vm, PowerState.SHUT_OFF, null, true));
    }

    @Override
    public synchronized void start(String vm) {
        calls.add("start " + vm);
        if (vm.equals(failStartOf)) {
            throw new HypervisorException("cannot start VM " + vm + ": no memory", null);
        }
        vms.put(vm, new VmStatus(vm, PowerState.RUNNING, Integer.toString(nextId++), true));
        if (inactiveDefinitions.containsKey(vm)) {
            // A start runs the persistent definition: the running one is that from now on.
            definitions.put(vm, inactiveDefinitions.get(vm));
        }
    }

    @Override
    public synchronized void reset(String vm) {
        calls.add("reset " + vm);
    }

    /** Gives the VM a definition (domain XML), as backups read it; without one, definition() fails. */
    public synchronized FakeHypervisor defined(String name, String xml) {
        definitions.put(name, xml);
        return this;
    }

    /** A persistent definition other than the running one (a change waiting for the next start). */
    public synchronized FakeHypervisor definedInactive(String name, String xml) {
        inactiveDefinitions.put(name, xml);
        return this;
    }

    @Override
    public synchronized String inactiveDefinition(String vm) {
        return inactiveDefinitions.containsKey(vm) ? inactiveDefinitions.get(vm) : definition(vm);
    }

    /** The libvirt and hypervisor versions reported (default 0, 0: unknown). */
    public synchronized FakeHypervisor versions(long libvirt, long hypervisor) {
        versions = new long[] {libvirt, hypervisor};
        return this;
    }

    @Override
    public synchronized String definition(String vm) {
        String xml = definitions.get(vm);
        if (xml == null) {
            throw new HypervisorException("VM definitions are not available from fake", null);
        }
        return xml;
    }

    @Override
    public synchronized long[] versions() {
        return versions.clone();
    }

    @Override
    public synchronized void startPaused(String vm) {
        calls.add("start paused " + vm);
        vms.put(vm, new VmStatus(vm, PowerState.PAUSED, Integer.toString(nextId++), true));
    }

    @Override
    public void close() {
    }
}
