package dev.mvmm.core.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The log lines written while it is open, each with when it was written, so a test observes what
 * an operator would read in the journal ({@code try (CapturedLog log = CapturedLog.open()) ...}).
 */
public final class CapturedLog implements AutoCloseable {

    private static final Set<CapturedLog> OPEN = ConcurrentHashMap.newKeySet();

    /** One line, {@code LEVEL [tag] message}, and {@link System#nanoTime()} when it was written. */
    public record Line(String text, long nanos) {
    }

    private final List<Line> lines = new ArrayList<>();

    private CapturedLog() {
    }

    public static CapturedLog open() {
        CapturedLog log = new CapturedLog();
        OPEN.add(log);
        return log;
    }

    static void offer(String text) {
        Line line = new Line(text, System.nanoTime());
        for (CapturedLog log : OPEN) {
            synchronized (log.lines) {
                log.lines.add(line);
            }
        }
    }

    /** The lines so far that contain {@code text}. */
    public List<Line> containing(String text) {
        synchronized (lines) {
            return lines.stream().filter(line -> line.text().contains(text)).toList();
        }
    }

    /** The texts of the lines so far that contain {@code text}. */
    public List<String> texts(String text) {
        return containing(text).stream().map(Line::text).toList();
    }

    @Override
    public void close() {
        OPEN.remove(this);
    }
}
