package dev.mvmm.cli.support;

import dev.mvmm.core.MvmmException;
import dev.mvmm.core.VmNames;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.Suggestions;
import java.util.List;
import org.tinylog.Logger;
import picocli.CommandLine;

/** Checks VM names given on the command line. */
public final class VmArguments {

    private VmArguments() {
    }

    /** Rejects names that could leave a directory or be read as an option (a usage error, exit 64). */
    public static void requireSafe(CommandLine command, List<String> vms) {
        for (String vm : vms) {
            String problem = VmNames.problem(vm);
            if (problem != null) {
                throw new CommandLine.ParameterException(command, problem);
            }
        }
    }

    /** Rejects unsafe names; warns (with a suggestion) about names that have no configuration. */
    public static void validate(CommandLine command, Context context, List<String> vms) {
        requireSafe(command, vms);
        Configuration configuration;
        try {
            configuration = context.configuration();
        } catch (MvmmException e) {
            return;
        }
        for (String vm : vms) {
            if (configuration.vm(vm).isEmpty()) {
                Logger.tag(vm).warn("no configuration file {}.conf in {}{}", vm, configuration.directory(),
                        Suggestions.didYouMean(vm, configuration.vmNames()));
            }
        }
    }
}
