package dev.mvmm.core.health;

import dev.mvmm.core.store.Availability;

/** What one check concluded about one VM. */
public sealed interface Verdict permits Verdict.Healthy, Verdict.Failing, Verdict.ActionTaken, Verdict.ActionFailed,
        Verdict.OnHold, Verdict.Skipped, Verdict.Restarted {

    /** A short word for tables and JSON: healthy, failing, rebooted, reset, ... */
    String kind();

    /** One line for a person. */
    String detail();

    Severity severity();

    /** What this means for the VM's availability record. */
    Availability availability();

    /** Answering its probes (or running, when it has no ports). */
    record Healthy(String detail, boolean maintenance) implements Verdict {
        public String kind() {
            return "healthy";
        }

        public Severity severity() {
            return Severity.OK;
        }

        public Availability availability() {
            return maintenance ? Availability.MAINTENANCE : Availability.UP;
        }
    }

    /** Failing, but no action is due: before the threshold, in recovery or in maintenance. */
    record Failing(String detail, boolean maintenance) implements Verdict {
        public String kind() {
            return "failing";
        }

        public Severity severity() {
            return Severity.WARNING;
        }

        public Availability availability() {
            return maintenance ? Availability.MAINTENANCE : Availability.DOWN;
        }
    }

    /** mvmm acted: {@code action} is rebooted, reset, notified or started. */
    record ActionTaken(String action, String detail) implements Verdict {
        public String kind() {
            return action;
        }

        public Severity severity() {
            return Severity.CRITICAL;
        }

        public Availability availability() {
            return Availability.DOWN;
        }
    }

    /** A healthy VM restarted on schedule ({@code restart_at}, {@code restart_after}): planned, not a fault. */
    record Restarted(String detail) implements Verdict {
        public String kind() {
            return "restarted";
        }

        public Severity severity() {
            return Severity.OK;
        }

        public Availability availability() {
            return Availability.UP;
        }
    }

    /** mvmm tried to act and the hypervisor refused or failed. */
    record ActionFailed(String action, String detail) implements Verdict {
        public String kind() {
            return action + "-failed";
        }

        public Severity severity() {
            return Severity.CRITICAL;
        }

        public Availability availability() {
            return Availability.DOWN;
        }
    }

    /** The loop guard stopped acting; an operator must look. */
    record OnHold(String detail, boolean failing) implements Verdict {
        public String kind() {
            return "hold";
        }

        public Severity severity() {
            return failing ? Severity.CRITICAL : Severity.WARNING;
        }

        public Availability availability() {
            return failing ? Availability.DOWN : Availability.UP;
        }
    }

    /** Not checked this time, and why. */
    record Skipped(String reason, Severity severity, Availability availability) implements Verdict {
        public String kind() {
            return "skipped";
        }

        public String detail() {
            return reason;
        }
    }
}
