package dev.mvmm.core.health;

import dev.mvmm.core.store.StateException;
import dev.mvmm.core.store.VmHealth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tinylog.Logger;

/**
 * The monitor's routine state writes, gathered and committed together a few times a second: with a
 * thousand VMs checked every two seconds, one transaction a check was most of the monitor's CPU.
 * Batches commit in the order they were gathered; {@link #flush()} is called before anything that
 * reads the database's view of a VM (an action; {@link #flush(String)} before a reload after
 * another process wrote) and on stop.
 * A monitor killed outright loses at most the last interval's routine states: the next start reads
 * the state before them, so a failure's start is seen up to that interval late, never early.
 */
final class StateWriter {

    /** One VM's state going from {@code prior} to {@code next}. */
    record Change(VmHealth prior, VmHealth next) {
    }

    private final VmCheck steps;
    private final Object flushing = new Object();
    private List<Change> queued = new ArrayList<>();
    private long failures;

    StateWriter(VmCheck steps) {
        this.steps = steps;
    }

    synchronized void add(VmHealth prior, VmHealth next) {
        queued.add(new Change(prior, next));
    }

    synchronized int pending() {
        return queued.size();
    }

    /** Commits everything gathered so far in one transaction; on failure keeps it for the next try. */
    void flush() {
        synchronized (flushing) {
            List<Change> batch;
            synchronized (this) {
                if (queued.isEmpty()) {
                    return;
                }
                batch = queued;
                queued = new ArrayList<>();
            }
            try {
                steps.save(batch);
                if (failures > 0) {
                    Logger.info("state database writable again after {} failed attempts", failures);
                    failures = 0;
                }
            } catch (StateException e) {
                if (failures++ == 0) {
                    Logger.error("state not saved, retrying: {}", e.getMessage());
                }
                requeue(batch);
            }
        }
    }

    /**
     * Commits what is gathered if a change of {@code vm} is among it: before that VM's state is read
     * back. When another process writes, every VM reads its state again; one commit each (of
     * whatever happened to be queued) stalled the checks of all of them.
     */
    void flush(String vm) {
        synchronized (flushing) {
            // Holding 'flushing': no batch is on its way to the database while we look.
            synchronized (this) {
                if (queued.stream().noneMatch(change -> change.next().vm().equals(vm))) {
                    return;
                }
            }
            flush();
        }
    }

    /** Puts a failed batch back before newer changes, one change a VM (its first prior, its last state). */
    private synchronized void requeue(List<Change> batch) {
        Map<String, Change> merged = new LinkedHashMap<>();
        for (List<Change> part : List.of(batch, queued)) {
            for (Change change : part) {
                merged.merge(change.next().vm(), change, (older, newer) -> new Change(older.prior(), newer.next()));
            }
        }
        queued = new ArrayList<>(merged.values());
    }
}
