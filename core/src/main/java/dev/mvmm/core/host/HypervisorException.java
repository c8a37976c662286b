package dev.mvmm.core.host;

import dev.mvmm.core.MvmmException;

/** One operation on one VM failed; other VMs are unaffected. */
public class HypervisorException extends MvmmException {

    public HypervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}
