package dev.mvmm.cli;

import dev.mvmm.cli.render.StatsJson;
import dev.mvmm.cli.render.StatsPrometheus;
import dev.mvmm.cli.render.StatsTable;
import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.cli.support.Times;
import dev.mvmm.core.MvmmException;
import dev.mvmm.core.VmNames;
import dev.mvmm.core.config.Configuration;
import dev.mvmm.core.config.Durations;
import dev.mvmm.core.config.Suggestions;
import dev.mvmm.core.config.VmConfig;
import dev.mvmm.core.stats.Statistics;
import dev.mvmm.core.stats.StatsReport;
import dev.mvmm.core.stats.StatsRepository;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.tinylog.Logger;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mvmm stats}: availability, downtime, outages and backups per VM over a window. */
@Command(name = "stats",
        description = {"Show each VM's state now and, over a window: availability, uptime and downtime, time in "
                + "maintenance or stopped on purpose (not downtime), outages, mean time to recovery, actions, holds, "
                + "and its last backup.",
            "VMs removed from the configuration keep their history and can still be named. A configuration that "
                + "cannot be read costs only the display names (a warning says why); no VM is then marked removed."},
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {" 0:success", "64:usage error", "73:the Prometheus file cannot be written",
            "74:state database unusable"})
public final class StatsCommand implements Callable<Integer> {

    @ParentCommand
    MvmmCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VM", arity = "0..*",
            description = "VMs (default: every configured VM and every VM with history).")
    List<String> vms = new ArrayList<>();

    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "24h",
            description = "Start of the window: a duration back from now (24h, 7d, 30d, 365d) or a date or time "
                    + "(2026-11-01, 2026-11-01T08:00). Default: ${DEFAULT-VALUE}.")
    String since;

    @ArgGroup(exclusive = true)
    Format format = new Format();

    static final class Format {
        @Option(names = "--json", description = "Print the statistics as JSON.")
        boolean json;

        @Option(names = "--prometheus", paramLabel = "FILE", description = "Write the statistics for "
                + "node_exporter's textfile collector to FILE (replaced atomically); prints nothing.")
        Path prometheus;
    }

    @Override
    public Integer call() throws IOException {
        UnaryOperator<Instant> start = parseSince();
        for (String vm : vms) {
            if (!VmNames.isSafe(vm)) {
                throw new CommandLine.ParameterException(spec.commandLine(), VmNames.problem(vm));
            }
        }
        try (Context context = Context.of(root.options())) {
            // The configuration only selects and names the VMs: at 1,000 VMs its files are read on a
            // second thread while the database is opened and the history read.
            CompletableFuture<Configuration> configuration = CompletableFuture.supplyAsync(
                    () -> optionalConfiguration(context), StatsCommand::thread);
            StatsRepository repository = new StatsRepository(context.store());
            Instant now = context.clock().instant();
            StatsReport report = new Statistics(repository, context.health(), context.clock())
                    .report(() -> selection(join(configuration), repository), start.apply(now), now,
                            format.prometheus != null);
            if (format.prometheus != null) {
                StatsPrometheus.write(report, format.prometheus, spec.qualifiedName());
            } else if (format.json) {
                StatsJson.print(report, spec.commandLine().getOut());
            } else {
                StatsTable.print(report, spec.commandLine().getOut());
            }
        }
        return ExitStatus.OK.code();
    }

    /** The VMs named, else every configured VM and every VM with history; names from the configuration. */
    private Statistics.Selection selection(Configuration configuration, StatsRepository repository) {
        Set<String> configured = new LinkedHashSet<>();
        Map<String, String> names = new HashMap<>();
        if (configuration != null) {
            for (VmConfig vm : configuration.vms()) {
                configured.add(vm.name());
                names.put(vm.name(), vm.displayName());
            }
        }
        List<String> selected = new ArrayList<>(vms);
        if (selected.isEmpty()) {
            Set<String> all = new TreeSet<>(configured);
            all.addAll(repository.knownVms());
            selected.addAll(all);
        } else if (configuration != null && !configured.containsAll(selected)) {
            warnUnknown(configuration, configured, repository.knownVms());
        }
        // Unread, the configuration cannot tell which VMs were removed from it: none is marked so.
        return new Statistics.Selection(selected, configuration == null ? Set.copyOf(selected) : configured, names);
    }

    /** A VM named that was never configured nor checked is most likely a typo: say so, with the nearest name. */
    private void warnUnknown(Configuration configuration, Set<String> configured, Set<String> known) {
        Set<String> names = new TreeSet<>(configured);
        names.addAll(known);
        for (String vm : vms) {
            if (!names.contains(vm)) {
                Logger.tag(vm).warn("no configuration file {}.conf in {} and no history recorded{}", vm,
                        configuration.directory(), Suggestions.didYouMean(vm, names));
            }
        }
    }

    private static void thread(Runnable work) {
        Thread thread = new Thread(work, "mvmm-config");
        thread.setDaemon(true);
        thread.start();
    }

    private static Configuration join(CompletableFuture<Configuration> configuration) {
        try {
            return configuration.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Statistics come from the database; a broken configuration only costs the display names. */
    private static Configuration optionalConfiguration(Context context) {
        try {
            return context.configuration();
        } catch (MvmmException e) {
            Logger.warn("configuration not read ({}); showing the database's VMs without names", e.getMessage());
            return null;
        }
    }

    /** Digits first, then digits and letters only: a duration, never a date or a time. */
    private static final Pattern DURATION_LIKE = Pattern.compile("-?[0-9][0-9a-zA-Z]*");

    /** The window's start, as a function of now (read once, after the database is open). */
    private UnaryOperator<Instant> parseSince() {
        String text = since.strip();
        try {
            Duration back = Durations.parse(text);
            return now -> now.minus(back);
        } catch (IllegalArgumentException notADuration) {
            try {
                Instant at = Times.parse(text);
                if (at.isAfter(Instant.now())) {
                    // Refused before the database is opened (or made).
                    throw new CommandLine.ParameterException(spec.commandLine(), "--since: " + text
                            + " is in the future; the window ends now");
                }
                return now -> at;
            } catch (DateTimeParseException e) {
                if (DURATION_LIKE.matcher(text).matches()) {
                    // Meant as a duration (no date has this shape): say what is wrong with it (too long, negative).
                    throw new CommandLine.ParameterException(spec.commandLine(), "--since: "
                            + notADuration.getMessage());
                }
                throw new CommandLine.ParameterException(spec.commandLine(), "--since: '" + text
                        + "' is neither a duration (24h, 7d, 30d) nor a date (2026-11-01) or time (2026-11-01T08:00)");
            }
        }
    }
}
