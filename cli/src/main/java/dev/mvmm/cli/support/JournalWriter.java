package dev.mvmm.cli.support;

import java.io.PrintStream;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import org.tinylog.core.LogEntry;
import org.tinylog.core.LogEntryValue;
import org.tinylog.writers.Writer;

/**
 * Log lines for journald and people: on stderr, each prefixed with its syslog priority
 * ({@code <3>} error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug) so that journald
 * records it, and tagged with the VM it concerns. On a terminal the priority is written as a word.
 * Registered with tinylog as the writer named {@code journal}.
 */
public final class JournalWriter implements Writer {

    private final PrintStream stream;
    private final boolean terminal;
    private final boolean traces;

    public JournalWriter(Map<String, String> properties) {
        this.stream = System.err;
        this.terminal = "true".equals(properties.get("terminal"));
        this.traces = "true".equals(properties.get("traces"));
    }

    @Override
    public Collection<LogEntryValue> getRequiredLogEntryValues() {
        return EnumSet.of(LogEntryValue.LEVEL, LogEntryValue.TAG, LogEntryValue.MESSAGE, LogEntryValue.EXCEPTION);
    }

    @Override
    public void write(LogEntry entry) {
        StringBuilder line = new StringBuilder();
        if (terminal) {
            line.append("mvmm: ").append(word(entry)).append(": ");
        } else {
            line.append('<').append(priority(entry)).append('>');
        }
        if (entry.getTag() != null && !entry.getTag().isEmpty()) {
            line.append('[').append(entry.getTag()).append("] ");
        }
        line.append(entry.getMessage() == null ? "" : entry.getMessage());
        if (entry.getException() != null) {
            line.append(": ").append(entry.getException().getMessage());
        }
        synchronized (stream) {
            stream.println(line);
            if (traces && entry.getException() != null) {
                entry.getException().printStackTrace(stream);
            }
        }
    }

    private static int priority(LogEntry entry) {
        switch (entry.getLevel()) {
            case ERROR: return 3;
            case WARN: return 4;
            case INFO: return 6;
            default: return 7;
        }
    }

    private static String word(LogEntry entry) {
        switch (entry.getLevel()) {
            case ERROR: return "error";
            case WARN: return "warning";
            case INFO: return "info";
            default: return "debug";
        }
    }

    @Override
    public void flush() {
        stream.flush();
    }

    @Override
    public void close() {
        stream.flush();
    }
}
