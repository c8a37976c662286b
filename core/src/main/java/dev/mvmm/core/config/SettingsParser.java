package dev.mvmm.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Validates the assignments of one file against {@link Keys}, collecting every problem. */
final class SettingsParser {

    /** What one file yields. */
    record Parsed(Settings settings, List<ConfigProblem> problems) {
    }

    private SettingsParser() {
    }

    static Parsed parse(Path file, List<ConfigLine> lines, boolean globalFile) {
        Map<Key<?>, Settings.Setting> values = new LinkedHashMap<>();
        Map<Key<?>, Integer> firstLine = new HashMap<>();
        List<ConfigProblem> problems = new ArrayList<>();
        for (ConfigLine line : lines) {
            Key<?> key = Keys.find(line.key());
            if (key == null) {
                problems.add(unknown(file, line));
                continue;
            }
            String control = control(line.value());
            if (control != null) {
                problems.add(ConfigProblem.error(file, line.line(), line.key(), "holds the control character "
                        + control + "; no setting takes one, remove it"));
                continue;
            }
            if (key.scope() == Key.Scope.GLOBAL && !globalFile) {
                problems.add(ConfigProblem.error(file, line.line(), line.key(),
                        "can only be set in " + ConfigLoader.GLOBAL_FILE + "; move the line there"));
                continue;
            }
            if (line.value().isEmpty() && key.empty() == Key.Empty.UNSET) {
                values.put(key, new Settings.Setting(null, file, line.line()));
                continue;
            }
            if (line.value().isEmpty() && key.empty() == Key.Empty.REFUSED) {
                problems.add(ConfigProblem.error(file, line.line(), line.key(),
                        "has no value; give one (" + key.description() + ") or remove the line"));
                continue;
            }
            Object value;
            try {
                value = key.type().parse(line.value());
            } catch (IllegalArgumentException e) {
                problems.add(ConfigProblem.error(file, line.line(), line.key(), e.getMessage()));
                continue;
            }
            Integer earlier = firstLine.putIfAbsent(key, line.line());
            if (earlier != null) {
                problems.add(ConfigProblem.warning(file, line.line(), line.key(),
                        "is set again; this line wins over line " + earlier));
            }
            values.put(key, new Settings.Setting(value, file, line.line()));
        }
        return new Parsed(new Settings(values), problems);
    }

    /**
     * The first character no value may hold (a NUL, an escape, a line or direction change), as
     * U+XXXX, or null. Such a character is damage, or a trap for whoever reads the value in a log.
     */
    private static String control(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Shown.isForbidden(c)) {
                return String.format("U+%04X", (int) c);
            }
        }
        return null;
    }

    private static ConfigProblem unknown(Path file, ConfigLine line) {
        Keys.RetiredKey retired = Keys.retired(line.key());
        if (retired != null) {
            String message = retired.explanation();
            return retired.error()
                    ? ConfigProblem.error(file, line.line(), line.key(), message)
                    : ConfigProblem.warning(file, line.line(), line.key(), message);
        }
        Set<String> known = new TreeSet<>(Keys.all().keySet());
        known.addAll(Keys.aliases().keySet());
        String hint = Suggestions.didYouMean(line.key(), known);
        return ConfigProblem.error(file, line.line(), line.key(), "unknown key" + (hint.isEmpty()
                ? "; see 'man mvmm' or the README for the list of keys" : hint));
    }
}
