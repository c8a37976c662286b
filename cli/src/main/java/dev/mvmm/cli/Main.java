package dev.mvmm.cli;

import dev.mvmm.cli.support.ErrorHandler;
import dev.mvmm.cli.support.Logging;
import dev.mvmm.cli.support.UsageErrorHandler;
import dev.mvmm.cli.support.Warmup;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;

/** Entry point. {@code System.exit} is called here and nowhere else. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        Warmup.start(invoked(args));
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int status = run(out, err, args);
        out.flush();
        err.flush();
        Logging.close();
        System.exit(status);
    }

    /** The subcommands, in the order help lists them. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("check", CheckCommand::new);
        SUBCOMMANDS.put("monitor", MonitorCommand::new);
        SUBCOMMANDS.put("maintenance", MaintenanceCommand::new);
        SUBCOMMANDS.put("stats", StatsCommand::new);
        SUBCOMMANDS.put("backup", BackupCommand::new);
        SUBCOMMANDS.put("restore", RestoreCommand::new);
        SUBCOMMANDS.put("patch", PatchCommand::new);
        SUBCOMMANDS.put("replicate", ReplicateCommand::new);
    }

    /** Global options whose value may follow as a separate argument. */
    private static final Set<String> VALUED = Set.of("--config-dir", "--state", "-c", "--connect");

    /** Runs one command line with the given output streams; returns the exit status. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err, invoked(args)).execute(args);
    }

    /** The fully wired command tree. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, null);
    }

    /**
     * The subcommand a command line invokes, or null (help, version, a typo: then the whole tree is
     * built, for the listing and the suggestions). picocli reads every command's annotations when it
     * builds the tree; a timer's run needs only one of them (measured: about 40 % of a check's start).
     */
    static String invoked(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                return null;
            }
            if (arg.startsWith("-")) {
                if (VALUED.contains(arg)) {
                    i++;
                }
                continue;
            }
            return SUBCOMMANDS.containsKey(arg) ? arg : null;
        }
        return null;
    }

    /** The command tree with every subcommand, or only {@code only} when it is not null. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String only) {
        MvmmCommand root = new MvmmCommand();
        CommandLine commandLine = new CommandLine(root);
        SUBCOMMANDS.forEach((name, command) -> {
            if (only == null || only.equals(name)) {
                commandLine.addSubcommand(name, command.get());
            }
        });
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
