package dev.mvmm.core.backup;

import java.time.Duration;

/** How one VM's backup went. */
public record VmBackup(String vm, Result result, String level, String plan, String detail, Long bytes,
        Duration took) {

    /** The outcome kinds; front ends map them to exit statuses. */
    public enum Result { OK, FAILED, SKIPPED, BUSY, PLANNED }
}
