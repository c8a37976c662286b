package dev.mvmm.core.store;

import dev.mvmm.core.MvmmException;

/** The state database cannot be opened, migrated or written. */
public final class StateException extends MvmmException {

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
