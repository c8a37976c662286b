package dev.mvmm.core.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One VM's effective configuration: {@code mvmm.conf} overlaid with its {@code <VM>.conf}. A VM
 * whose file has errors is still listed, so that it can be reported, but is never acted on.
 */
public record VmConfig(String name, Path file, Settings settings, List<ConfigProblem> problems) {

    public VmConfig {
        problems = List.copyOf(problems);
    }

    public boolean isValid() {
        return problems.stream().noneMatch(ConfigProblem::isError);
    }

    public boolean isEnabled() {
        return settings.get(Keys.ENABLED);
    }

    /** The name shown to people: the {@code name} key, else the VM's own name. */
    public String displayName() {
        String display = settings.get(Keys.NAME);
        return display == null || display.isBlank() ? name : display;
    }
}
