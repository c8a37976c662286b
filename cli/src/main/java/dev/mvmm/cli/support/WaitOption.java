package dev.mvmm.cli.support;

import dev.mvmm.core.config.Durations;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --wait[=DURATION]}: wait for a VM another mvmm operation holds instead of skipping it (exit 75). */
public final class WaitOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--wait", arity = "0..1", paramLabel = "DURATION", fallbackValue = "1h",
            description = "Wait up to DURATION (default 1h; 30s, 10m, 2h) for a VM that another mvmm operation holds, "
                    + "instead of skipping it with exit 75.")
    String wait;

    /** The patience asked for, zero when --wait was not given. */
    public Duration patience() {
        if (wait == null) {
            return Duration.ZERO;
        }
        try {
            return Durations.parse(wait);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), "--wait: '" + wait + "' is not a duration; write 30s, "
                    + "10m or 2h");
        }
    }
}
