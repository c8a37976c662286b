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

    /** syslog's daemon facility, added to the level in syslog mode (journald reads bare levels). */
    private static final int DAEMON = 3 * 8;

    /** Whether tinylog has made this writer: then its provider is up and has something to close. */
    private static volatile boolean opened;

    private final PrintStream stream;
    private final Process logger;
    private final boolean terminal;
    private final boolean traces;
    private final int facility;

    public JournalWriter(Map<String, String> properties) {
        Process started = "true".equals(properties.get("syslog")) ? startLogger() : null;
        this.logger = started;
        this.stream = started == null ? System.err
                : new PrintStream(started.getOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
        this.terminal = started == null && "true".equals(properties.get("terminal"));
        this.traces = "true".equals(properties.get("traces"));
        this.facility = started == null ? 0 : DAEMON;
        opened = true;
    }

    /** Whether a writer was made in this process (tinylog makes them when the first line is logged). */
    static boolean opened() {
        return opened;
    }

    /**
     * {@code --syslog} (for cron): lines go to util-linux's logger, which reads the {@code <N>} prefix of
     * every line as facility and level. Without logger the log stays on stderr, with a warning there.
     */
    private static Process startLogger() {
        try {
            return new ProcessBuilder("logger", "--prio-prefix", "--tag", "mvmm", "--id=" + ProcessHandle.current()
                    .pid()).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect
                    .INHERIT).start();
        } catch (java.io.IOException e) {
            System.err.println("<4>--syslog: cannot start logger (" + e.getMessage() + "); logging to stderr");
            return null;
        }
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
            line.append('<').append(facility + priority(entry)).append('>');
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
        if (logger != null) {
            stream.close();
            try {
                logger.waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
