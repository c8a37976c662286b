package dev.mvmm.core.config;

import dev.mvmm.core.MvmmException;
import java.util.List;
import java.util.stream.Collectors;

/** The global configuration is unusable; nothing may act on it. */
public final class ConfigException extends MvmmException {

    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String message) {
        super(message);
        this.problems = List.of();
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String describe(List<ConfigProblem> problems) {
        return problems.stream().filter(ConfigProblem::isError).map(ConfigProblem::toString)
                .collect(Collectors.joining("\n"));
    }
}
