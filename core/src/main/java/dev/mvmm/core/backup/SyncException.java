package dev.mvmm.core.backup;

import dev.mvmm.core.MvmmException;

/** The off-site copy failed; the local chain is untouched. */
public final class SyncException extends MvmmException {

    public SyncException(String message) {
        super(message);
    }
}
