package dev.mvmm.core.backup;

import java.time.Duration;

/** How one VM's backup went. */
public record VmBackup(String vm, Result result, String level, String plan, String detail, Long bytes,
        Duration took, String sync, boolean syncFailed) {

    public VmBackup(String vm, Result result, String level, String plan, String detail, Long bytes, Duration took) {
        this(vm, result, level, plan, detail, bytes, took, null, false);
    }

    /** This outcome with the off-site copy's result added. */
    public VmBackup withSync(String text, boolean failed) {
        return new VmBackup(vm, result, level, plan, detail, bytes, took, text, failed);
    }

    /** The outcome kinds; front ends map them to exit statuses. */
    public enum Result { OK, FAILED, SKIPPED, BUSY, PLANNED }
}
