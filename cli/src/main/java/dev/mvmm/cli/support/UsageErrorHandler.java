package dev.mvmm.cli.support;

import java.io.PrintWriter;
import picocli.CommandLine;

/** A parse error: the message, any suggestions, the synopsis, and where to read more. */
public final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {

    @Override
    public int handleParseException(CommandLine.ParameterException exception, String[] args) {
        CommandLine command = exception.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + exception.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(exception, err);
        err.print(command.getHelp().fullSynopsis());
        err.printf("See '%s --help' for more information.%n", command.getCommandSpec().qualifiedName());
        err.flush();
        return ExitStatus.USAGE.code();
    }
}
