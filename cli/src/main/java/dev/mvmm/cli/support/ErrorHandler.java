package dev.mvmm.cli.support;

import dev.mvmm.core.MvmmException;
import dev.mvmm.core.config.ConfigException;
import dev.mvmm.core.host.HypervisorUnavailableException;
import dev.mvmm.core.lock.LockedException;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.store.StateException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The one place where failures become a message and an exit status: one line saying what failed
 * and what to do; the stack trace only with {@code --debug}.
 */
public final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

    private final GlobalOptions options;

    public ErrorHandler(GlobalOptions options) {
        this.options = options;
    }

    @Override
    public int handleExecutionException(Exception exception, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        String prefix = command.getCommandSpec().qualifiedName() + ": ";
        if (exception instanceof MvmmException) {
            err.println(prefix + "error: " + exception.getMessage());
        } else {
            err.println(prefix + "internal error: " + exception + (options.debug() ? ""
                    : "; run again with --debug for details, and please report it"));
        }
        if (options.debug()) {
            exception.printStackTrace(err);
        }
        err.flush();
        return statusOf(exception).code();
    }

    public static ExitStatus statusOf(Throwable exception) {
        if (exception instanceof ConfigException) {
            return ExitStatus.CONFIG;
        }
        if (exception instanceof HypervisorUnavailableException) {
            return ExitStatus.UNAVAILABLE;
        }
        if (exception instanceof StateException || exception instanceof VmLocks.LockFailure
                || exception instanceof dev.mvmm.core.power.PowerMarkerException) {
            return ExitStatus.IO_ERROR;
        }
        if (exception instanceof dev.mvmm.cli.render.StatsPrometheus.WriteFailure) {
            return ExitStatus.CANNOT_CREATE;
        }
        if (exception instanceof LockedException) {
            return ExitStatus.TEMPORARY;
        }
        if (exception instanceof dev.mvmm.core.VmNames.UnsafeNameException) {
            return ExitStatus.USAGE;
        }
        if (exception instanceof MvmmException) {
            return ExitStatus.SOFTWARE;
        }
        return ExitStatus.SOFTWARE;
    }
}
