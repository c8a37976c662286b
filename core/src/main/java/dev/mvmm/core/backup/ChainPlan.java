package dev.mvmm.core.backup;

/**
 * What to do with a VM's current chain before backing up, decided by {@link ChainCheck}.
 */
public sealed interface ChainPlan permits ChainPlan.Extend, ChainPlan.Repair, ChainPlan.NewChain {

    /** One line for the log and the report. */
    String reason();

    /** The chain is sound: add an incremental. */
    record Extend(String reason) implements ChainPlan {
    }

    /**
     * An incremental was cut off: drop its remains (partial files, the files of checkpoint
     * {@code checkpoint}, its libvirt checkpoint and bitmaps) and extend the rest.
     */
    record Repair(String checkpoint, String reason) implements ChainPlan {
    }

    /**
     * Start a new chain with a full backup. The current one is archived when it holds anything
     * restorable, deleted (and logged) when it holds nothing, and stale checkpoints and bitmaps
     * are cleaned first so the full backup cannot trip over them. {@code cutOff}: a cut-off
     * incremental's checkpoint to drop (as {@link Repair} does) before archiving, or null.
     */
    record NewChain(Previous previous, boolean broken, String reason, String cutOff) implements ChainPlan {

        public NewChain(Previous previous, boolean broken, String reason) {
            this(previous, broken, reason, null);
        }
    }

    /** What happens to the chain a new one replaces. */
    enum Previous { NONE, ARCHIVE, DELETE }
}
