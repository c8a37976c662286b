package dev.mvmm.core.patch;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.IncrementalSupport;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.domain.DomainXml;
import dev.mvmm.core.health.HealthSettings;
import dev.mvmm.core.health.LoopGuard;
import dev.mvmm.core.host.Hypervisor;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.host.Stopper;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.power.PowerMarker;
import dev.mvmm.core.power.PowerMarkers;
import dev.mvmm.core.power.PowerRestore;
import dev.mvmm.core.store.HealthRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/**
 * {@code mvmm patch}: makes a domain ready for incremental backups. Declares QEMU's
 * {@code incremental-backup} capability only where this host's libvirt and QEMU need it, by editing
 * the persistent definition as XML; tells whether the running instance still lacks it (a power cycle
 * is needed, which {@code --restart} does within the loop guard); reports disks that cannot hold
 * persistent bitmaps.
 */
public final class Patch {

    /** What a patch of one VM found and did. */
    public enum State {
        /** This host's libvirt and QEMU take incremental backups without the capability. */
        NOT_NEEDED,
        /** The capability is declared where it counts. */
        READY,
        /** The capability was added to the definition (or would be, with --check). */
        PATCHED,
        /** Declared in the definition, but the running instance was started without it. */
        NEEDS_POWER_CYCLE
    }

    /**
     * @param changed        the definition was rewritten
     * @param cycled         the VM was power-cycled (--restart)
     * @param actionNeeded   something is left to do (what --check reports with a non-zero exit)
     */
    public record Finding(String vm, State state, boolean changed, boolean cycled, boolean actionNeeded,
            List<String> notes) {
    }

    /** What the operator asked for. */
    public record Options(boolean checkOnly, boolean force, boolean restart) {
    }

    /** Pure: whether to add the capability and whether the running instance needs a power cycle. */
    record Decision(boolean add, boolean cycle) {
    }

    static Decision decide(boolean needed, boolean declaredInDefinition, boolean running, boolean declaredLive) {
        if (!needed) {
            return new Decision(false, false);
        }
        return new Decision(!declaredInDefinition, running && !declaredLive);
    }

    private final Hypervisor hypervisor;
    private final Tools tools;
    private final HealthRepository health;
    private final Clock clock;
    private final Stopper stopper;
    private final PowerMarkers markers;

    public Patch(Hypervisor hypervisor, Tools tools, HealthRepository health, PowerMarkers markers, Clock clock,
            Sleeper sleeper) {
        this.hypervisor = hypervisor;
        this.markers = markers;
        this.tools = tools;
        this.health = health;
        this.clock = clock;
        this.stopper = new Stopper(hypervisor, clock, sleeper);
    }

    public Finding run(String vm, Options options, HealthSettings healthSettings, Duration waitTime) {
        List<String> powerNotes = options.checkOnly() ? List.of() : putBack(vm, waitTime);
        VmStatus status = hypervisor.confirm(vm).orElseThrow(() -> new BackupException("this host has no VM " + vm));
        long[] versions = hypervisor.versions();
        boolean builtIn = IncrementalSupport.builtIn(versions[0], versions[1]);
        String host = "libvirt " + IncrementalSupport.format(versions[0]) + " with QEMU "
                + IncrementalSupport.format(versions[1]);
        List<String> notes = new ArrayList<>();
        String inactive = hypervisor.inactiveDefinition(vm);
        DomainXml definition = DomainXml.parse(inactive);
        boolean running = status.state() != PowerState.SHUT_OFF;
        boolean declaredLive = running && DomainXml.parse(hypervisor.definition(vm)).declaresIncrementalBackup();
        boolean needed = !builtIn || options.force();
        Decision decision = decide(needed, definition.declaresIncrementalBackup(), running, declaredLive);
        boolean actionNeeded = disks(definition, notes);
        notes.addAll(powerNotes);

        State state;
        boolean changed = false;
        if (!needed) {
            state = State.NOT_NEEDED;
            notes.add(0, host + " take incremental backups without the capability; nothing changed");
        } else if (decision.add()) {
            state = State.PATCHED;
            if (options.checkOnly()) {
                notes.add(0, host + " need <qemu:add capability='incremental-backup'/>; 'mvmm patch " + vm
                        + "' adds it");
                actionNeeded = true;
            } else {
                definition.addIncrementalBackup();
                hypervisor.define(definition.toXml());
                changed = true;
                notes.add(0, "declared <qemu:add capability='incremental-backup'/> in the definition");
                Logger.tag(vm).info("declared the incremental-backup capability");
            }
        } else {
            state = State.READY;
            notes.add(0, "the definition declares the incremental-backup capability");
        }

        boolean cycled = false;
        if (decision.cycle()) {
            if (options.restart() && !options.checkOnly()) {
                cycle(vm, status, healthSettings, waitTime);
                cycled = true;
                notes.add("power-cycled: the VM runs with the capability now");
            } else {
                if (state == State.READY) {
                    state = State.NEEDS_POWER_CYCLE;
                }
                actionNeeded = true;
                notes.add("the running VM was started without the capability: it needs a power cycle (shut down "
                        + "and start; 'mvmm patch --restart " + vm + "' does it)");
            }
        }
        return new Finding(vm, state, changed, cycled, actionNeeded, notes);
    }

    private void cycle(String vm, VmStatus status, HealthSettings settings, Duration waitTime) {
        String refusal = LoopGuard.refusal(health, vm, settings, clock.instant());
        if (refusal != null) {
            throw new BackupException("not power-cycling: " + refusal);
        }
        markers.write(PowerMarker.of(vm, "patch --restart", PowerState.RUNNING, clock.instant()));
        String story = stopper.stop(vm, waitTime);
        try {
            hypervisor.start(vm);
        } catch (HypervisorException e) {
            // The marker stays: the next check or patch starts the VM.
            health.recordAction(vm, clock.instant(), "power-cycle", "failed", story + "; start failed: "
                    + e.getMessage());
            throw e;
        }
        markers.remove(vm);
        health.recordAction(vm, clock.instant(), "power-cycle", "done", "patch: " + story + "; started");
        Logger.tag(vm).info("power-cycled for the incremental-backup capability: {}; started", story);
    }

    /** A VM a cut-off operation (an earlier patch --restart, say) left stopped or paused is put back first. */
    private List<String> putBack(String vm, Duration waitTime) {
        PowerMarker left = markers.read(vm).orElse(null);
        if (left == null) {
            return List.of();
        }
        PowerRestore.Result restored = new PowerRestore(hypervisor, markers, name -> java.util.Optional.empty(),
                clock).restore(left, waitTime.plusSeconds(30));
        Logger.tag(vm).info("power: {}", restored.story());
        return restored.change() == PowerRestore.Change.NONE ? List.of() : List.of(restored.story());
    }

    /** Notes on disks that cannot take incremental backups; true when one needs converting. */
    private boolean disks(DomainXml definition, List<String> notes) {
        boolean convert = false;
        for (DomainXml.Disk disk : definition.disks()) {
            if (!disk.fileBacked() || !"disk".equals(disk.device())) {
                continue;
            }
            Tools.ImageInfo info;
            try {
                info = tools.imageInfo(disk.file());
            } catch (BackupException e) {
                notes.add("disk " + disk.target() + ": " + e.getMessage());
                continue;
            }
            if ("qcow2".equals(info.format()) && !info.holdsBitmaps()) {
                convert = true;
                notes.add("disk " + disk.target() + " (" + disk.file() + ") is qcow2 v2 (compat " + info.compat()
                        + ") and cannot hold persistent bitmaps: with the VM shut off, run 'qemu-img amend -f qcow2 "
                        + "-o compat=1.1 " + disk.file() + "'");
            } else if (!"qcow2".equals(info.format())) {
                notes.add("disk " + disk.target() + " (" + disk.file() + ") is " + info.format() + ": backups are "
                        + "full copies only; for incrementals convert it to qcow2 ('qemu-img convert -O qcow2') and "
                        + "point the disk at the copy");
            }
        }
        return convert;
    }
}
