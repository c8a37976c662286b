package dev.mvmm.core.support;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import org.tinylog.core.LogEntry;
import org.tinylog.core.LogEntryValue;
import org.tinylog.writers.Writer;

/**
 * The tinylog writer named {@code capture} in {@code tinylog-test.properties}: hands every line to
 * the {@link CapturedLog}s open at the time, as {@code LEVEL [tag] message}.
 */
public final class CaptureWriter implements Writer {

    public CaptureWriter(Map<String, String> properties) {
        // No options.
    }

    @Override
    public Collection<LogEntryValue> getRequiredLogEntryValues() {
        return EnumSet.of(LogEntryValue.LEVEL, LogEntryValue.TAG, LogEntryValue.MESSAGE);
    }

    @Override
    public void write(LogEntry entry) {
        String tag = entry.getTag() == null ? "" : "[" + entry.getTag() + "] ";
        CapturedLog.offer(entry.getLevel() + " " + tag + entry.getMessage());
    }

    @Override
    public void flush() {
        // Nothing is buffered.
    }

    @Override
    public void close() {
        // Nothing is held.
    }
}
