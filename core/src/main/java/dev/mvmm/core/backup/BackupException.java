package dev.mvmm.core.backup;

import dev.mvmm.core.MvmmException;

/** A backup step failed for one VM; the others go on. */
public final class BackupException extends MvmmException {

    public BackupException(String message) {
        super(message);
    }
}
