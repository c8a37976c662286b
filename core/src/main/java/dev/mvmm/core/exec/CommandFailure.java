package dev.mvmm.core.exec;

import dev.mvmm.core.MvmmException;

/** An external command could not be run at all. */
public final class CommandFailure extends MvmmException {

    public CommandFailure(String message) {
        super(message);
    }
}
