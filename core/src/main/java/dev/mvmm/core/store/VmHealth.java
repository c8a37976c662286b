package dev.mvmm.core.store;

import java.time.Duration;
import java.time.Instant;

/**
 * The persisted health state of one VM, carried from one check to the next (so a threshold is
 * measured across short-lived runs).
 *
 * @param failingSince  start of the {@code fail_threshold} clock, {@code null} when not counting
 * @param healthySince  start of the current streak of healthy probes
 * @param recoveryUntil end of the grace after a (re)start
 * @param pending       an action begun but not confirmed finished (mvmm was killed half way)
 * @param runStartedAt  when the VM's current run began (from the hypervisor, else when first seen)
 * @param scheduledAt   when mvmm last made a scheduled restart ({@code restart_at}, {@code restart_after})
 */
public record VmHealth(String vm, Availability availability, String verdict, String detail, String runId,
        Instant checkedAt, Instant failingSince, Instant healthySince, Instant recoveryUntil, Hold hold,
        Pending pending, LastAction lastAction, Duration latency, Instant runStartedAt, Instant scheduledAt) {

    /** The VM is on hold: the loop guard stopped acting on it. */
    public record Hold(Instant since, String reason) {
    }

    /** An action in progress; {@code runId} is the VM's run when the action began. */
    public record Pending(String action, Instant since, String runId) {
    }

    /** The last action mvmm took on the VM. */
    public record LastAction(String action, Instant at, String result) {
    }

    /** The state of a VM never checked before. */
    public static VmHealth fresh(String vm, Instant now) {
        return new VmHealth(vm, null, "new", null, null, now, null, null, null, null, null, null, null, null, null);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Copies with changes, so the decision logic reads as a list of assignments. */
    public static final class Builder {
        private final String vm;
        public Availability availability;
        public String verdict;
        public String detail;
        public String runId;
        public Instant checkedAt;
        public Instant failingSince;
        public Instant healthySince;
        public Instant recoveryUntil;
        public Hold hold;
        public Pending pending;
        public LastAction lastAction;
        public Duration latency;
        public Instant runStartedAt;
        public Instant scheduledAt;

        private Builder(VmHealth from) {
            vm = from.vm;
            availability = from.availability;
            verdict = from.verdict;
            detail = from.detail;
            runId = from.runId;
            checkedAt = from.checkedAt;
            failingSince = from.failingSince;
            healthySince = from.healthySince;
            recoveryUntil = from.recoveryUntil;
            hold = from.hold;
            pending = from.pending;
            lastAction = from.lastAction;
            latency = from.latency;
            runStartedAt = from.runStartedAt;
            scheduledAt = from.scheduledAt;
        }

        public String vm() {
            return vm;
        }

        public VmHealth build() {
            return new VmHealth(vm, availability, verdict, detail, runId, checkedAt, failingSince, healthySince,
                    recoveryUntil, hold, pending, lastAction, latency, runStartedAt, scheduledAt);
        }
    }
}
