package dev.mvmm.core.config;

import java.nio.file.Path;

/**
 * One finding in a configuration file, located precisely enough that an operator can go and fix
 * it: the file, the line (0 when the problem is about the file as a whole) and the key. The key is
 * kept as written; {@link #toString()} shows it, and the message, without control characters.
 */
public record ConfigProblem(Path file, int line, String key, String message, Severity severity) {

    public enum Severity { ERROR, WARNING }

    public static ConfigProblem error(Path file, int line, String key, String message) {
        return new ConfigProblem(file, line, key, message, Severity.ERROR);
    }

    public static ConfigProblem warning(Path file, int line, String key, String message) {
        return new ConfigProblem(file, line, key, message, Severity.WARNING);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(file);
        if (line > 0) {
            text.append(':').append(line);
        }
        text.append(": ");
        if (key != null && !key.isEmpty()) {
            text.append('\'').append(Shown.printable(Shown.shorten(key))).append("': ");
        }
        return text.append(Shown.printable(message)).toString();
    }
}
