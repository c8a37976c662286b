package dev.mvmm.core.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: plain seconds ({@code 30}), or numbers with units
 * ({@code 500ms}, {@code 90s}, {@code 5m}, {@code 2h}, {@code 1d}, {@code 1w}), also combined
 * ({@code 1h30m}).
 */
public final class Durations {

    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h|d|w)?");

    /** The longest duration any setting takes: far beyond any use, and safe to add to any time or to count in ns. */
    public static final Duration LONGEST = Duration.ofDays(36_500);

    private Durations() {
    }

    public static Duration parse(String text) {
        String value = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("expects a duration such as 30, 90s, 5m, 2h or 1d");
        }
        if (value.startsWith("-")) {
            throw new IllegalArgumentException(Shown.quote(text) + " is negative; a duration is 0 or more");
        }
        // Part by part rather than one regular expression over the whole: a repeated group recurses in
        // java.util.regex, and a long enough value (1s1s1s...) overflowed the stack.
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(value);
        int parts = 0;
        boolean bare = false;
        try {
            for (int at = 0; at < value.length(); at = part.end()) {
                part.region(at, value.length());
                if (!part.lookingAt()) {
                    throw notADuration(text);
                }
                parts++;
                bare |= part.group(2) == null;
                String unit = part.group(2) == null ? "s" : part.group(2);
                total = total.plus(unitOf(unit).multipliedBy(Long.parseLong(part.group(1))));
                if (total.compareTo(LONGEST) > 0) {
                    throw tooLarge(text);
                }
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw tooLarge(text);
        }
        if (bare && parts > 1) {
            throw notADuration(text);
        }
        return total;
    }

    private static IllegalArgumentException notADuration(String text) {
        return new IllegalArgumentException(Shown.quote(text)
                + " is not a duration; write seconds (30) or a number with a unit: 500ms, 90s, 5m, 2h, 1d");
    }

    private static IllegalArgumentException tooLarge(String text) {
        return new IllegalArgumentException(Shown.quote(text) + " is too large; the longest is "
                + LONGEST.toDays() + "d (100 years)");
    }

    private static Duration unitOf(String unit) {
        switch (unit) {
            case "ms": return Duration.ofMillis(1);
            case "m": return Duration.ofMinutes(1);
            case "h": return Duration.ofHours(1);
            case "d": return Duration.ofDays(1);
            case "w": return Duration.ofDays(7);
            default: return Duration.ofSeconds(1);
        }
    }

    /** Short human form: {@code 45s}, {@code 2m30s}, {@code 1h}, {@code 3d4h}, {@code 250ms}. */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        long seconds = duration.getSeconds();
        if (seconds == 0) {
            long millis = duration.toMillis();
            return millis == 0 ? "0s" : millis + "ms";
        }
        StringBuilder text = new StringBuilder();
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3600;
        long minutes = seconds % 3600 / 60;
        long rest = seconds % 60;
        if (days > 0) {
            text.append(days).append('d');
        }
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0 && days == 0) {
            text.append(minutes).append('m');
        }
        if (rest > 0 && days == 0 && hours == 0) {
            text.append(rest).append('s');
        }
        return text.toString();
    }
}
