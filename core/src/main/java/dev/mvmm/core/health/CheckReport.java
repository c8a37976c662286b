package dev.mvmm.core.health;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The result of one pass over the VMs. */
public record CheckReport(Instant startedAt, Duration took, List<VmOutcome> outcomes) {

    public CheckReport {
        outcomes = List.copyOf(outcomes);
    }

    /** The worst severity of any VM; {@link Severity#OK} for an empty report. */
    public Severity worst() {
        Severity worst = Severity.OK;
        for (VmOutcome outcome : outcomes) {
            if (rank(outcome.verdict().severity()) > rank(worst)) {
                worst = outcome.verdict().severity();
            }
        }
        return worst;
    }

    public long count(Severity severity) {
        return outcomes.stream().filter(outcome -> outcome.verdict().severity() == severity).count();
    }

    /** Configuration problems outrank VM problems, which outrank busy VMs. */
    static int rank(Severity severity) {
        switch (severity) {
            case CONFIG: return 4;
            case CRITICAL: return 3;
            case WARNING: return 2;
            case BUSY: return 1;
            default: return 0;
        }
    }
}
