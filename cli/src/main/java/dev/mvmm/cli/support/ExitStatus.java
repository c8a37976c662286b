package dev.mvmm.cli.support;

/**
 * Every exit status mvmm uses (sysexits.h where one fits), in one place. Timers and scripts
 * depend on these numbers: never renumber one.
 */
public enum ExitStatus {
    OK(0, "success: every VM healthy, or left alone on purpose"),
    VM_PROBLEM(1, "at least one VM is unhealthy: failing, acted on, or on hold"),
    USAGE(64, "usage error: unknown option, bad argument"),
    UNAVAILABLE(69, "the hypervisor (libvirt) cannot be reached"),
    SOFTWARE(70, "internal error (run again with --debug and report it)"),
    CANNOT_CREATE(73, "an output file (such as --prometheus FILE) cannot be written"),
    IO_ERROR(74, "the state database or lock directory cannot be used"),
    TEMPORARY(75, "a VM was skipped because another mvmm operation holds it; retry later"),
    CONFIG(78, "configuration error: mvmm.conf invalid (nothing done) or a VM's file invalid (that VM skipped)");

    private final int code;
    private final String meaning;

    ExitStatus(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
