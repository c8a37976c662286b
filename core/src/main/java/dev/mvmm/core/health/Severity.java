package dev.mvmm.core.health;

/** How much a VM's outcome should worry an operator; front ends map it to exit statuses. */
public enum Severity {
    /** Nothing to do. */
    OK,
    /** Failing, not yet past its threshold, or something odd but not urgent. */
    WARNING,
    /** Past its threshold: acted on, action failed, or on hold. */
    CRITICAL,
    /** Skipped because another mvmm operation holds the VM; retry later. */
    BUSY,
    /** Its configuration is invalid: it is out of service until fixed. */
    CONFIG
}
