package dev.mvmm.core.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Validated values, each remembering the file and line it came from. Immutable. */
public final class Settings {

    /** A value and where it was set. */
    public record Setting(Object value, Path file, int line) {
    }

    private static final Settings EMPTY = new Settings(Map.of());

    private final Map<Key<?>, Setting> values;

    Settings(Map<Key<?>, Setting> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Settings empty() {
        return EMPTY;
    }

    /** The value set in a file, else the key's default (which may be {@code null}). */
    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        Setting setting = values.get(key);
        return setting == null ? key.defaultValue() : (T) setting.value();
    }

    public boolean isSet(Key<?> key) {
        return values.containsKey(key);
    }

    /** Where a key was set, or {@code null} when it has its default. */
    public Setting origin(Key<?> key) {
        return values.get(key);
    }

    /** These settings with {@code overrides} laid on top. */
    public Settings with(Settings overrides) {
        Map<Key<?>, Setting> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides.values);
        return new Settings(merged);
    }

    /** A copy with one value replaced, for callers that override a file from the command line. */
    public <T> Settings with(Key<T> key, T value) {
        Map<Key<?>, Setting> merged = new LinkedHashMap<>(values);
        merged.put(key, new Setting(value, null, 0));
        return new Settings(merged);
    }
}
