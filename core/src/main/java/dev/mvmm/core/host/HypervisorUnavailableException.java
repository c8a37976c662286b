package dev.mvmm.core.host;

import dev.mvmm.core.MvmmException;

/** The hypervisor cannot be reached at all; nothing can be checked or done. */
public final class HypervisorUnavailableException extends MvmmException {

    public HypervisorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
