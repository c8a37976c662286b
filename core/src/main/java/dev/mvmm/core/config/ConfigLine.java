package dev.mvmm.core.config;

/** One {@code key=value} assignment as written in a file, with the line it starts on. */
public record ConfigLine(String key, String value, int line) {
}
