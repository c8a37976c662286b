package dev.mvmm.core.health;

import dev.mvmm.core.store.StateException;
import dev.mvmm.core.store.VmHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * The monitor's state writes, gathered and committed together a few times a second: with a
 * thousand VMs checked every two seconds, one transaction a check was most of the monitor's CPU.
 * Batches commit in the order they were gathered; {@link #flush()} is called before anything that
 * reads the database's view of a VM (an action; {@link #flush(String)} before a reload after
 * another process wrote) and on stop.
 *
 * <p>A <em>routine</em> change, one that only moves the time of the last check (and the probe's
 * latency and wording), is held back up to {@link #ROUTINE_DEFERRAL} and then written as the VM's
 * latest state: a healthy VM's row is written every ten seconds rather than at every check, a fifth
 * of the database's work and of the disk's writes at {@code check_interval=2}. Every other change
 * (availability, the failure's or health's start, a hold, an action) goes with the next batch.
 * When another process has written, the routine changes held back are dropped rather than written
 * over what it wrote ({@link #dropRoutine()}). A monitor killed outright loses at most the last
 * {@link #ROUTINE_DEFERRAL} of check times and the last batch's changes: the next start reads the
 * state before them, so a failure's start is seen up to that interval late, never early.
 */
final class StateWriter {

    /** How long a routine change may wait; the database's time of a VM's last check lags by as much. */
    static final Duration ROUTINE_DEFERRAL = Duration.ofSeconds(10);

    /** One VM's state going from {@code prior} to {@code next}. */
    record Change(VmHealth prior, VmHealth next) {
    }

    /** A routine change and when its VM's first held-back change came (System.nanoTime). */
    private record Held(Change change, long sinceNanos) {
    }

    private final VmCheck steps;
    private final long deferralNanos;
    private final LongSupplier nanoTime;
    private final Object flushing = new Object();
    private List<Change> queued = new ArrayList<>();
    /** Each VM's latest routine change, in the order the VMs were first held back. */
    private final Map<String, Held> held = new LinkedHashMap<>();
    private long failures;

    StateWriter(VmCheck steps) {
        this(steps, ROUTINE_DEFERRAL, System::nanoTime);
    }

    StateWriter(VmCheck steps, Duration deferral, LongSupplier nanoTime) {
        this.steps = steps;
        this.deferralNanos = deferral.toNanos();
        this.nanoTime = nanoTime;
    }

    synchronized void add(VmHealth prior, VmHealth next) {
        // Whatever is held back for this VM is superseded: its row is written whole, as 'next'.
        Held earlier = held.remove(next.vm());
        if (routine(prior, next)) {
            held.put(next.vm(), new Held(new Change(prior, next), earlier == null ? nanoTime.getAsLong()
                    : earlier.sinceNanos()));
        } else {
            queued.add(new Change(prior, next));
        }
    }

    synchronized int pending() {
        return queued.size() + held.size();
    }

    /**
     * Forgets the routine changes held back: another process has written, perhaps a newer state of
     * the same VMs ('mvmm check' by hand), which an older check time must not overwrite. They carry
     * nothing but times; the next routine change of each VM is held back afresh.
     */
    synchronized void dropRoutine() {
        held.clear();
    }

    /** Commits everything gathered so far in one transaction; on failure keeps it for the next try. */
    void flush() {
        flush(true);
    }

    /** Commits the changes gathered so far and the routine ones that have waited long enough (periodic). */
    void flushDue() {
        flush(false);
    }

    private void flush(boolean everything) {
        synchronized (flushing) {
            List<Change> batch;
            synchronized (this) {
                batch = queued;
                long now = nanoTime.getAsLong();
                for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
                    Held routine = it.next();
                    if (everything || now - routine.sinceNanos() >= deferralNanos) {
                        batch.add(routine.change());
                        it.remove();
                    }
                }
                if (batch.isEmpty()) {
                    return;
                }
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
                if (!held.containsKey(vm) && queued.stream().noneMatch(change -> change.next().vm().equals(vm))) {
                    return;
                }
            }
            flush();
        }
    }

    /**
     * Whether the change only moves the time of the check (and its latency and wording): nothing the
     * decision rules, the history or the statistics count changes with it.
     */
    static boolean routine(VmHealth prior, VmHealth next) {
        if (prior == null || prior.checkedAt() == null || next.availability() == null
                || Duration.between(prior.checkedAt(), next.checkedAt()).compareTo(VmCheck.UNWATCHED_GAP) > 0) {
            return false;
        }
        VmHealth.Builder same = prior.toBuilder();
        same.checkedAt = next.checkedAt();
        same.latency = next.latency();
        same.detail = next.detail();
        return same.build().equals(next);
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
