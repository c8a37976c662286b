package dev.mvmm.cli;

import dev.mvmm.cli.support.ErrorHandler;
import dev.mvmm.cli.support.Logging;
import dev.mvmm.cli.support.UsageErrorHandler;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point. {@code System.exit} is called here and nowhere else. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int status = run(out, err, args);
        out.flush();
        err.flush();
        try {
            // Closes the log writer: with --syslog, logger(1) gets the end of input and is waited for.
            org.tinylog.provider.ProviderRegistry.getLoggingProvider().shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.exit(status);
    }

    /** Runs one command line with the given output streams; returns the exit status. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    /** The fully wired command tree. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        MvmmCommand root = new MvmmCommand();
        CommandLine commandLine = new CommandLine(root);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new ErrorHandler(root.options()));
        commandLine.setParameterExceptionHandler(new UsageErrorHandler());
        commandLine.setExecutionStrategy(parseResult -> {
            Logging.configure(root.options().logLevel(), root.options().debug(), root.options().syslog());
            return new CommandLine.RunLast().execute(parseResult);
        });
        return commandLine;
    }
}
