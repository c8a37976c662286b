package dev.mvmm.core.exec;

import java.util.List;

/** How an external command ended. {@code exitCode} is -1 when it timed out or could not start. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    /** One line for logs and errors. */
    public String summary() {
        String program = command.isEmpty() ? "?" : command.get(0);
        if (timedOut) {
            return program + " timed out";
        }
        String error = stderr.strip();
        String lastLine = "";
        for (String line : error.split("\n")) {
            // Tools that log at several levels: the last error line says more than a closing info line.
            if (line.contains("ERROR") || line.contains("error:")) {
                lastLine = line.strip();
            }
        }
        if (lastLine.isEmpty()) {
            int newline = error.lastIndexOf('\n');
            lastLine = newline >= 0 ? error.substring(newline + 1) : error;
        }
        return program + " exited " + exitCode + (lastLine.isEmpty() ? "" : ": " + lastLine);
    }
}
