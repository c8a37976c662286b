package dev.mvmm.cli;

import dev.mvmm.cli.support.Context;
import dev.mvmm.cli.support.ExitStatus;
import dev.mvmm.core.config.Durations;
import dev.mvmm.core.health.Monitor;
import dev.mvmm.core.config.Keys;
import dev.mvmm.core.probe.Prober;
import dev.mvmm.core.stats.HistoryCompactor;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.tinylog.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import sun.misc.Signal;

/** {@code mvmm monitor}: checks continuously in one process, each VM on its own schedule. */
@Command(name = "monitor",
        description = {"Watch the configured VMs continuously: the rules of 'mvmm check', each VM on its own "
                + "schedule (check_interval while healthy, fail_interval while failing), in one process.",
            "Signals: SIGHUP reloads the configuration (added, removed and changed VM files), SIGUSR1 logs "
                + "per-VM statistics, SIGUSR2 toggles host maintenance (persisted), SIGTERM and SIGINT stop after "
                + "letting actions in progress finish."},
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            " 0:stopped by SIGTERM or SIGINT",
            "64:usage error",
            "69:hypervisor unreachable at start",
            "70:internal error",
            "74:state database unusable",
            "78:configuration error in mvmm.conf at start"
        })
public final class MonitorCommand implements Callable<Integer> {

    @ParentCommand
    MvmmCommand root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--stop-grace", paramLabel = "DURATION", defaultValue = "5m",
            description = "On SIGTERM, how long actions in progress may take to finish (default: ${DEFAULT-VALUE}).")
    String stopGrace;

    @Override
    public Integer call() throws InterruptedException {
        Duration grace = parse(stopGrace);
        try (Context context = Context.of(root.options()).longRunning(); Prober prober = new Prober()) {
            context.configuration();
            Monitor monitor = new Monitor(CheckCommand.services(context, prober), context::reloadConfiguration);
            monitor.start();
            java.util.concurrent.ScheduledExecutorService housekeeping = java.util.concurrent.Executors
                    .newSingleThreadScheduledExecutor(runnable -> {
                        Thread thread = new Thread(runnable, "mvmm-housekeeping");
                        thread.setDaemon(true);
                        return thread;
                    });
            housekeeping.scheduleWithFixedDelay(() -> new HistoryCompactor(context.store()).compactIfDue(
                    context.clock().instant(), context.configuration().global().get(Keys.HISTORY_DETAIL)),
                    1, 60, java.util.concurrent.TimeUnit.MINUTES);
            handle("HUP", monitor::reload);
            handle("USR1", monitor::logStatistics);
            handle("USR2", monitor::toggleMaintenance);
            Runnable stop = () -> {
                Logger.info("stopping");
                monitor.stop(grace);
            };
            handle("TERM", stop);
            handle("INT", stop);
            monitor.awaitStop();
        }
        return ExitStatus.OK.code();
    }

    /** Signal handlers only hand work to another thread: the JVM's signal thread must not block. */
    private static void handle(String signal, Runnable action) {
        Signal.handle(new Signal(signal), received -> CompletableFuture.runAsync(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                Logger.error(e, "handling SIG{} failed", signal);
            }
        }));
    }

    private Duration parse(String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--stop-grace: " + e.getMessage());
        }
    }
}
