package dev.mvmm.core.health.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The monitor's decision rules (SPEC section 2, {@code HealthPolicy}) applied to what really
 * happened to a VM's service, as an oracle independent of the monitor's own state.
 *
 * <p>The monitor sees the service only when it probes it, at most {@link Limits#cadence()} apart;
 * so a rule is broken only when no sequence of probes could explain the decision, and a decision
 * is missed only when every sequence of probes must have led to one. The rules:
 *
 * <ul>
 *   <li>A reboot (or a hold instead of one) only when the probe failed, and a failure had been
 *       seen at least {@code fail_threshold} earlier with nothing in between that resets the
 *       failure clock: {@code fail_threshold} of sustained health, a failure seen in maintenance,
 *       the previous reboot and its {@code recovery_time} (which a healthy probe ends early).
 *       Short gaps do not reset it: a flapping service cannot dodge the threshold.</li>
 *   <li>Never in maintenance: no decision once a window set by another process can have been
 *       seen ({@link Limits#maintenanceLatency()}), and no reboot begun once it was set, even if
 *       decided before. Never while on hold.</li>
 *   <li>Loop guard: never a reboot when {@code max_reboots} were taken within
 *       {@code reboot_window}; a hold only then. A hold is released only after a whole
 *       {@code reboot_window} without a failure that must have been seen, and must be by then.</li>
 *   <li>No missed decision: a service closed continuously for {@link Limits#due()} outside
 *       maintenance, recovery and hold must have led to a reboot or a hold in that time.</li>
 * </ul>
 */
public final class DecisionRules {

    /** The monitor's settings and the slack allowed for measuring them from outside. */
    public record Limits(Duration threshold, Duration interval, Duration jitter, Duration recovery, Duration window,
            int maxReboots, Duration maintenanceLatency, Duration probeLatency, Duration slack) {

        /** The longest time between two checks of one VM. */
        public Duration cadence() {
            return interval.plus(jitter);
        }

        /** A continuous outage this long (outside maintenance, recovery and hold) must lead to a decision. */
        public Duration due() {
            return threshold.plus(cadence().multipliedBy(2)).plus(slack);
        }
    }

    /**
     * A reboot: when mvmm decided it (its row in the actions table), when it asked the hypervisor
     * to shut the VM down and when the VM had started again.
     */
    public record Reboot(Instant decided, Instant shutdown, Instant restarted) {
    }

    /** A hold: from the check that imposed it to the one that released it ({@code null}: still on hold). */
    public record Hold(Instant since, Instant released) {
    }

    /** What is known about one VM. */
    public record Vm(String name, Timeline service, List<Span> maintenance, List<Reboot> reboots, List<Hold> holds) {
    }

    /** A broken rule. */
    public record Finding(String vm, Instant at, String rule, String detail) {

        @Override
        public String toString() {
            return vm + " at " + at + ": " + rule + " (" + detail + ")";
        }
    }

    /**
     * One VM's judgement: decisions that broke a rule and decisions missed; then how the reboots
     * divide: required (in a stretch that made one due), after a continuous outage shorter than
     * that (mostly one the reboot ended), after a flapping one; and the holds that were required.
     */
    public record Judgement(List<Finding> unexpected, List<Finding> missed, int requiredReboots,
            int continuousReboots, int flappingReboots, int requiredHolds) {
    }

    /** The earliest instant the monitor's failure clock may have started from, and why. */
    private record Floor(Instant at, String why) {

        Floor max(Instant other, String reason) {
            return other.isAfter(at) ? new Floor(other, reason) : this;
        }
    }

    private final Limits limits;
    private final Instant start;
    private final Instant stop;

    /** Judges the monitor's decisions between its first checks at {@code start} and its stop at {@code stop}. */
    public DecisionRules(Limits limits, Instant start, Instant stop) {
        this.limits = limits;
        this.start = start;
        this.stop = stop;
    }

    public Judgement judge(Vm vm) {
        List<Finding> unexpected = new ArrayList<>();
        for (int k = 0; k < vm.reboots().size(); k++) {
            Instant decided = vm.reboots().get(k).decided();
            String why = decisionProblem(vm, decided);
            if (why == null) {
                why = begunInMaintenance(vm, vm.reboots().get(k));
            }
            if (why == null) {
                why = onHold(vm, decided);
            }
            int recent = recentReboots(vm, decided);
            if (why == null && recent >= limits.maxReboots()) {
                why = "loop guard: " + recent + " reboots within reboot_window before it; a hold was due";
            }
            if (why != null) {
                unexpected.add(new Finding(vm.name(), decided, "reboot", why));
            }
        }
        for (Hold hold : vm.holds()) {
            String why = decisionProblem(vm, hold.since());
            int recent = recentReboots(vm, hold.since());
            if (why == null && recent < limits.maxReboots()) {
                why = "only " + recent + " reboots within reboot_window: no reason for the loop guard";
            }
            if (why != null) {
                unexpected.add(new Finding(vm.name(), hold.since(), "hold", why));
            }
            if (hold.released() != null) {
                why = releaseProblem(vm, hold);
                if (why != null) {
                    unexpected.add(new Finding(vm.name(), hold.released(), "hold released", why));
                }
            }
        }
        List<Finding> missed = new ArrayList<>(missedReleases(vm));
        Set<Instant> required = new LinkedHashSet<>();
        missed.addAll(missedDecisions(vm, required));
        int holds = (int) vm.holds().stream().filter(hold -> required.contains(hold.since())).count();
        int continuous = 0;
        for (Reboot reboot : vm.reboots()) {
            Instant decided = reboot.decided();
            if (!required.contains(decided) && !vm.service().wasAt(true, decided.minus(limits.threshold()), decided)) {
                continuous++;
            }
        }
        int reboots = required.size() - holds;
        return new Judgement(unexpected, missed, reboots, continuous, vm.reboots().size() - reboots - continuous,
                holds);
    }

    /** Why a reboot or hold decided at {@code at} breaks the threshold, recovery or maintenance rules; else null. */
    private String decisionProblem(Vm vm, Instant at) {
        if (!vm.service().wasAt(false, at.minus(limits.probeLatency()), at.plus(limits.slack()))) {
            return "the service was open when it was checked";
        }
        for (Span window : vm.maintenance()) {
            if (!at.isBefore(window.from().plus(limits.maintenanceLatency()))
                    && at.isBefore(window.to().minus(limits.slack()))) {
                return "in maintenance " + window;
            }
        }
        Floor floor = floor(vm, at);
        Instant latest = at.minus(limits.threshold()).plus(limits.slack());
        if (!vm.service().wasAt(false, floor.at(), latest)) {
            return "no failure for fail_threshold: the failure clock could not start before " + floor.at()
                    + " (" + floor.why() + ")";
        }
        return null;
    }

    private String begunInMaintenance(Vm vm, Reboot reboot) {
        Instant shutdown = reboot.shutdown();
        for (Span window : vm.maintenance()) {
            if (shutdown != null && !shutdown.isBefore(window.from().plus(limits.slack()))
                    && shutdown.isBefore(window.to())) {
                return "begun in maintenance " + window + " at " + shutdown;
            }
        }
        return null;
    }

    /** The earliest start of the failure clock that the rules allow for a decision at {@code at}. */
    private Floor floor(Vm vm, Instant at) {
        Floor floor = new Floor(start, "the monitor's start");
        Reboot previous = null;
        for (Reboot reboot : vm.reboots()) {
            if (reboot.decided().isBefore(at)) {
                previous = reboot;
            }
        }
        if (previous != null) {
            Instant restarted = previous.restarted() != null ? previous.restarted() : previous.decided();
            Instant graceEnd = restarted.plus(limits.recovery()).minus(limits.slack());
            List<Span> open = vm.service().spans(true, restarted, graceEnd);
            Instant end = open.isEmpty() ? graceEnd : open.get(0).from().minus(limits.slack());
            floor = floor.max(end, "recovery_time after the reboot decided at " + previous.decided()
                    + (open.isEmpty() ? "" : ", ended early by a healthy probe"));
        }
        for (Span window : vm.maintenance()) {
            Instant seen = window.from().plus(limits.maintenanceLatency());
            Instant until = window.to().isBefore(at) ? window.to() : at;
            for (Span closed : vm.service().spans(false, seen, until)) {
                if (closed.length().compareTo(limits.cadence().plus(limits.slack().multipliedBy(2))) >= 0) {
                    // A failure was certainly seen in maintenance, which resets the clock.
                    Instant reset = closed.to().isBefore(window.to().minus(limits.slack()))
                            ? closed.to().minus(limits.cadence()).minus(limits.slack())
                            : window.to().minus(limits.slack());
                    floor = floor.max(reset, "a failure seen in maintenance " + window);
                }
            }
        }
        Duration sustained = limits.threshold().plus(limits.cadence().multipliedBy(2))
                .plus(limits.slack().multipliedBy(2));
        for (Span open : vm.service().spans(true, start, at)) {
            if (open.length().compareTo(sustained) >= 0) {
                floor = floor.max(open.to().minus(limits.slack()), "healthy for fail_threshold " + open);
            }
        }
        for (Hold hold : vm.holds()) {
            if (hold.released() != null && hold.released().isBefore(at)) {
                floor = floor.max(hold.released(), "the hold released at " + hold.released());
            }
        }
        return floor;
    }

    private static String onHold(Vm vm, Instant at) {
        for (Hold hold : vm.holds()) {
            if (!at.isBefore(hold.since()) && (hold.released() == null || at.isBefore(hold.released()))) {
                return "on hold since " + hold.since();
            }
        }
        return null;
    }

    /** Reboots counted by the loop guard at {@code at}: the monitor counts rows at or after now - window, in ms. */
    private int recentReboots(Vm vm, Instant at) {
        long since = at.toEpochMilli() - limits.window().toMillis();
        int count = 0;
        for (Reboot reboot : vm.reboots()) {
            long decided = reboot.decided().toEpochMilli();
            if (decided >= since && reboot.decided().isBefore(at)) {
                count++;
            }
        }
        return count;
    }

    private String releaseProblem(Vm vm, Hold hold) {
        Instant released = hold.released();
        if (!vm.service().wasAt(true, released.minus(limits.probeLatency()), released.plus(limits.slack()))) {
            return "the service was closed when it was checked";
        }
        if (released.isBefore(hold.since().plus(limits.window()).minus(limits.slack()))) {
            return "sooner than reboot_window after the hold";
        }
        Instant from = released.minus(limits.window()).plus(limits.slack());
        for (Span closed : vm.service().spans(false, from, released.minus(limits.slack()))) {
            if (closed.length().compareTo(limits.cadence().plus(limits.slack().multipliedBy(2))) >= 0) {
                return "a failure that must have been seen within reboot_window before: closed " + closed;
            }
        }
        return null;
    }

    /** While on hold, a service open for a whole reboot_window (and the checks to see it) must be released. */
    private List<Finding> missedReleases(Vm vm) {
        List<Finding> missed = new ArrayList<>();
        Duration due = limits.window().plus(limits.cadence().multipliedBy(2)).plus(limits.slack());
        for (Hold hold : vm.holds()) {
            Instant end = hold.released() == null || hold.released().isAfter(stop) ? stop : hold.released();
            for (Span open : vm.service().spans(true, hold.since(), end)) {
                if (open.length().compareTo(due) > 0) {
                    missed.add(new Finding(vm.name(), open.from().plus(due), "hold not released",
                            "open " + open + " while on hold since " + hold.since()));
                }
            }
        }
        return missed;
    }

    /**
     * Every stretch of {@link Limits#due()} in which the service was closed throughout, outside
     * maintenance, recovery and hold, must hold a decision. Stretches are tried from each instant
     * at which the failure clock may last have been held back (the outage's start, the end of a
     * recovery, a maintenance window or a hold), which covers every stretch that could miss one.
     */
    private List<Finding> missedDecisions(Vm vm, Set<Instant> required) {
        List<Finding> missed = new ArrayList<>();
        for (Span outage : vm.service().spans(false, start, stop)) {
            List<Instant> starts = new ArrayList<>(List.of(outage.from()));
            for (Reboot reboot : vm.reboots()) {
                Instant restarted = reboot.restarted() != null ? reboot.restarted() : reboot.decided();
                starts.add(restarted.plus(limits.recovery()).plus(limits.slack()));
            }
            for (Span window : vm.maintenance()) {
                starts.add(window.to().plus(limits.slack()));
            }
            for (Hold hold : vm.holds()) {
                if (hold.released() != null) {
                    starts.add(hold.released().plus(limits.slack()));
                }
            }
            for (Instant from : starts) {
                Instant to = from.plus(limits.due());
                if (from.isBefore(outage.from()) || to.isAfter(outage.to())) {
                    continue;
                }
                Instant decision = decisionWithin(vm, from, to);
                if (decision != null) {
                    required.add(decision);
                } else if (!excused(vm, from, to)) {
                    missed.add(new Finding(vm.name(), from, "missed", "closed " + outage + ", no reboot or hold from "
                            + from + " to " + to));
                }
            }
        }
        return missed;
    }

    private static Instant decisionWithin(Vm vm, Instant from, Instant to) {
        for (Reboot reboot : vm.reboots()) {
            if (!reboot.decided().isBefore(from) && !reboot.decided().isAfter(to)) {
                return reboot.decided();
            }
        }
        for (Hold hold : vm.holds()) {
            if (!hold.since().isBefore(from) && !hold.since().isAfter(to)) {
                return hold.since();
            }
        }
        return null;
    }

    /** Whether recovery, maintenance or a hold explains why no decision fell in {@code [from, to]}. */
    private boolean excused(Vm vm, Instant from, Instant to) {
        Instant recoveringFrom = from.minus(limits.recovery()).minus(limits.slack());
        for (Reboot reboot : vm.reboots()) {
            Instant restarted = reboot.restarted() != null ? reboot.restarted() : reboot.decided();
            if (restarted.isAfter(recoveringFrom) && !reboot.decided().isAfter(to)) {
                return true;
            }
        }
        for (Span window : vm.maintenance()) {
            if (window.overlaps(from.minus(limits.slack()), to.plus(limits.slack()))) {
                return true;
            }
        }
        for (Hold hold : vm.holds()) {
            if (!hold.since().isAfter(to) && (hold.released() == null || !hold.released().isBefore(from))) {
                return true;
            }
        }
        return false;
    }
}
