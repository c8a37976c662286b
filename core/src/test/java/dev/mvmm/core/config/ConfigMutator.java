package dev.mvmm.core.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Seeded random damage to the text of a configuration file, of the kinds an editor, a copy and
 * paste, a full disk or a hostile hand produce. Every mutation names itself, so that a failing case
 * says what was done to the file.
 */
final class ConfigMutator {

    private static final String[] UNICODE = {"é", "ß", "\u00a0", "\u2028", "\u2029", "\u0085", "\u202e", "\ufeff",
        "\ud83d\ude00", "\u0661", "\uff18", "\u0130", "\u0131", "\u200b", "\u3000", "\u00ad", "\ud800"};
    private static final String[] CONTROL = {"\u0000", "\u0001", "\u001b", "\u001b[2J", "\u007f", "\r", "\t",
        "\u000b", "\f", "\b", "\u0007"};
    private static final String[] HUGE = {"99999999999999999999", "2147483648", "4294967296", "9223372036854775807",
        "9223372036854775808", "106751991167300d", "99999999999999d", "9999999999w", "1" + "0".repeat(400),
        "2147483647", "65536"};
    private static final String[] UNITS = {"x", "min", "sec", "mss", " m", " hours", ".5", "e3", "h30", "ms5",
        "S", "M", "H", "D", "W", "y", "%", "k", "0x10"};
    private static final String[] KEYS = {"colour", "portsal", "IP", "fail_treshold", "check-interval", "boot_time",
        "ram_limit", "disabled_log_interval", "[web]", "Enabled", "name.first", "ip.addr"};
    private static final String[] FRAGMENTS = {"1s", "1h30m", "80,", "a", " ", "\\", "'", "\"", "#", "=", "-",
        "\\#", "0"};

    /** A mutation: what it did (for the report) and the new text. */
    record Step(String name, String text) {
    }

    private final List<Mutation> textMutations = new ArrayList<>();

    private interface Mutation extends BiFunction<Random, String, Step> {
    }

    ConfigMutator() {
        add("delete-char", (r, t) -> t.isEmpty() ? t : cut(t, r.nextInt(t.length()), 1));
        add("duplicate-char", (r, t) -> {
            if (t.isEmpty()) {
                return t;
            }
            int at = r.nextInt(t.length());
            return t.substring(0, at + 1) + t.substring(at);
        });
        add("swap-chars", (r, t) -> {
            if (t.length() < 2) {
                return t;
            }
            int at = r.nextInt(t.length() - 1);
            return t.substring(0, at) + t.charAt(at + 1) + t.charAt(at) + t.substring(at + 2);
        });
        add("truncate-line", (r, t) -> {
            List<String> lines = lines(t);
            int index = r.nextInt(lines.size());
            String line = lines.get(index);
            lines.set(index, line.substring(0, line.isEmpty() ? 0 : r.nextInt(line.length())));
            return join(lines, r.nextBoolean());
        });
        add("truncate-file", (r, t) -> t.substring(0, t.isEmpty() ? 0 : r.nextInt(t.length())));
        add("insert-equals", (r, t) -> insert(r, t, r.nextBoolean() ? "=" : "=="));
        add("insert-space", (r, t) -> insert(r, t, pick(r, new String[] {" ", "  ", "\t", " \t "})));
        add("insert-unicode", (r, t) -> insert(r, t, pick(r, UNICODE)));
        add("insert-control", (r, t) -> insert(r, t, pick(r, CONTROL)));
        add("huge-number", (r, t) -> replaceNumber(r, t, pick(r, HUGE)));
        add("negative", (r, t) -> replaceValue(r, t, v -> "-" + v));
        add("wrong-unit", (r, t) -> replaceNumber(r, t, (r.nextBoolean() ? "5" : "90") + pick(r, UNITS)));
        add("unknown-key", (r, t) -> {
            List<String> lines = lines(t);
            lines.add(r.nextInt(lines.size() + 1), pick(r, KEYS) + "=" + (r.nextBoolean() ? "30" : "blue"));
            return join(lines, false);
        });
        add("rename-key", (r, t) -> {
            List<String> lines = lines(t);
            int index = r.nextInt(lines.size());
            String line = lines.get(index);
            int equals = line.indexOf('=');
            if (equals <= 0) {
                return t;
            }
            int at = r.nextInt(equals);
            lines.set(index, line.substring(0, at) + (char) ('a' + r.nextInt(26)) + line.substring(at + 1));
            return join(lines, false);
        });
        add("long-line", (r, t) -> {
            int times = 500 + r.nextInt(20_000);
            return r.nextBoolean() ? replaceValue(r, t, v -> v.repeat(Math.max(1, times / Math.max(1, v.length()))))
                    : insert(r, t, pick(r, FRAGMENTS).repeat(times));
        });
        add("long-key", (r, t) -> "x".repeat(1000 + r.nextInt(100_000)) + "=1\n" + t);
        add("crlf", (r, t) -> r.nextBoolean() ? t.replace("\n", "\r\n") : t.replace("\n", "\r"));
        add("duplicate-line", (r, t) -> {
            List<String> lines = lines(t);
            int index = r.nextInt(lines.size());
            lines.add(r.nextInt(lines.size() + 1), lines.get(index));
            return join(lines, false);
        });
        add("delete-line", (r, t) -> {
            List<String> lines = lines(t);
            lines.remove(r.nextInt(lines.size()));
            return join(lines, false);
        });
        add("swap-lines", (r, t) -> {
            List<String> lines = lines(t);
            int a = r.nextInt(lines.size());
            int b = r.nextInt(lines.size());
            String line = lines.get(a);
            lines.set(a, lines.get(b));
            lines.set(b, line);
            return join(lines, false);
        });
        add("comment-toggle", (r, t) -> {
            List<String> lines = lines(t);
            int index = r.nextInt(lines.size());
            String line = lines.get(index);
            lines.set(index, line.startsWith("#") ? line.substring(1) : "#" + line);
            return join(lines, false);
        });
        add("continuation", (r, t) -> {
            List<String> lines = lines(t);
            int index = r.nextInt(lines.size());
            lines.set(index, lines.get(index) + "\\");
            return join(lines, false);
        });
        add("quote", (r, t) -> replaceValue(r, t, v -> pick(r, new String[] {"'", "\"", "'\"", "\"" + v + "'"}) + v));
        add("empty-value", (r, t) -> replaceValue(r, t, v -> ""));
        add("value-swap", (r, t) -> {
            List<String> values = new ArrayList<>();
            for (String line : lines(t)) {
                int equals = line.indexOf('=');
                if (equals > 0) {
                    values.add(line.substring(equals + 1));
                }
            }
            return values.isEmpty() ? t : replaceValue(r, t, v -> values.get(r.nextInt(values.size())));
        });
        add("dash-value", (r, t) -> replaceValue(r, t, v -> pick(r, new String[] {"-", "--", "-o", "--help "})
                + v));
        add("path-value", (r, t) -> replaceValue(r, t, v -> pick(r, new String[] {"../", "/../../etc", "/a/../b",
            "/x y", "/tmp/'q'", "relative"}) + v));
    }

    private void add(String name, BiFunction<Random, String, String> mutation) {
        textMutations.add((r, t) -> new Step(name, mutation.apply(r, t)));
    }

    /** One to three text mutations, then sometimes damage to the bytes. */
    byte[] mutate(Random random, String text, List<String> log) {
        String current = text;
        int steps = 1 + random.nextInt(3);
        for (int i = 0; i < steps; i++) {
            Step step = textMutations.get(random.nextInt(textMutations.size())).apply(random, current);
            log.add(step.name());
            current = step.text();
        }
        byte[] bytes = current.getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(6) == 0) {
            int kind = random.nextInt(4);
            if (kind == 0) {
                log.add("bom");
                bytes = concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, bytes);
            } else if (kind == 1) {
                log.add("invalid-utf8");
                byte[][] bad = {{(byte) 0xc3}, {(byte) 0xff}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                    {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xe2, (byte) 0x82}, {(byte) 0x80}};
                bytes = insertBytes(random, bytes, bad[random.nextInt(bad.length)]);
            } else if (kind == 2) {
                log.add("binary-garbage");
                byte[] garbage = new byte[1 + random.nextInt(64)];
                random.nextBytes(garbage);
                bytes = insertBytes(random, bytes, garbage);
            } else {
                log.add("binary-file");
                bytes = new byte[random.nextInt(4096)];
                random.nextBytes(bytes);
            }
        }
        return bytes;
    }

    private static String insert(Random random, String text, String what) {
        int at = random.nextInt(text.length() + 1);
        return text.substring(0, at) + what + text.substring(at);
    }

    private static String cut(String text, int at, int length) {
        return text.substring(0, at) + text.substring(Math.min(text.length(), at + length));
    }

    /** Replaces one run of digits, or appends to a value when there is none. */
    private static String replaceNumber(Random random, String text, String with) {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            if (Character.isDigit(text.charAt(i))) {
                int start = i;
                while (i < text.length() && Character.isDigit(text.charAt(i))) {
                    i++;
                }
                runs.add(new int[] {start, i});
            }
        }
        if (runs.isEmpty()) {
            return replaceValue(random, text, value -> with);
        }
        int[] run = runs.get(random.nextInt(runs.size()));
        return text.substring(0, run[0]) + with + text.substring(run[1]);
    }

    private static String replaceValue(Random random, String text, java.util.function.UnaryOperator<String> change) {
        List<String> lines = lines(text);
        List<Integer> assignments = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).indexOf('=') > 0 && !lines.get(i).startsWith("#")) {
                assignments.add(i);
            }
        }
        if (assignments.isEmpty()) {
            return text;
        }
        int index = assignments.get(random.nextInt(assignments.size()));
        String line = lines.get(index);
        int equals = line.indexOf('=');
        lines.set(index, line.substring(0, equals + 1) + change.apply(line.substring(equals + 1)));
        return join(lines, false);
    }

    static List<String> lines(String text) {
        return new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    }

    private static String join(List<String> lines, boolean dropNewline) {
        String joined = String.join("\n", lines);
        return dropNewline && joined.endsWith("\n") ? joined.substring(0, joined.length() - 1) : joined;
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static byte[] insertBytes(Random random, byte[] bytes, byte[] what) {
        int at = random.nextInt(bytes.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + what.length);
        out.write(bytes, 0, at);
        out.write(what, 0, what.length);
        out.write(bytes, at, bytes.length - at);
        return out.toByteArray();
    }
}
