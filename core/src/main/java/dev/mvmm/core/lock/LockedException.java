package dev.mvmm.core.lock;

import dev.mvmm.core.MvmmException;

/** Another mvmm operation holds the VM; the caller should retry later. */
public final class LockedException extends MvmmException {

    private final String vm;

    public LockedException(String vm, String holder) {
        super("VM " + vm + " is busy: locked by " + holder + "; try again later or use --wait");
        this.vm = vm;
    }

    public String vm() {
        return vm;
    }
}
