package dev.mvmm.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns the text of a value into a typed value, or explains in one sentence why it cannot.
 *
 * @param <T> the type of the parsed value
 */
@FunctionalInterface
public interface ValueType<T> {

    /** @throws IllegalArgumentException with an operator-facing explanation */
    T parse(String text);

    static ValueType<String> text() {
        return text -> text;
    }

    static ValueType<Duration> duration(Duration minimum) {
        return text -> {
            Duration value = Durations.parse(text);
            if (value.compareTo(minimum) < 0) {
                throw new IllegalArgumentException(Shown.quote(text) + " is too short; the minimum is "
                        + Durations.format(minimum));
            }
            return value;
        };
    }

    /** A whole number, 0 or more, in ASCII digits (Integer.parseInt would also take other scripts' digits). */
    static ValueType<Integer> count() {
        return text -> {
            String value = text.strip();
            if (value.startsWith("-") && digits(value.substring(1))) {
                throw new IllegalArgumentException(Shown.quote(text) + " is negative; expects 0 or more");
            }
            if (!digits(value)) {
                throw new IllegalArgumentException(Shown.quote(text) + " is not a whole number");
            }
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(Shown.quote(text) + " is too large; the most is "
                        + Integer.MAX_VALUE);
            }
        };
    }

    /** Whether the text is one or more ASCII digits. */
    private static boolean digits(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return !text.isEmpty();
    }

    static ValueType<Boolean> bool() {
        return text -> {
            switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "on": case "1":
                    return true;
                case "false": case "no": case "off": case "0":
                    return false;
                default:
                    throw new IllegalArgumentException(Shown.quote(text)
                            + " is not a yes/no value; write true or false");
            }
        };
    }

    static ValueType<String> oneOf(String... choices) {
        return text -> {
            String value = text.strip().toLowerCase(Locale.ROOT);
            for (String choice : choices) {
                if (choice.equals(value)) {
                    return choice;
                }
            }
            throw new IllegalArgumentException(Shown.quote(text) + " is not one of " + String.join(", ", choices)
                    + Suggestions.didYouMean(value, List.of(choices)));
        };
    }

    /** Port lists: {@code 80 443}, {@code 80,443} or {@code 80, 443}. */
    static ValueType<List<Integer>> ports() {
        return text -> {
            Set<Integer> ports = new LinkedHashSet<>();
            for (String token : ConfigFileReader.words(text.strip(), ',')) {
                if (!digits(token)) {
                    throw new IllegalArgumentException(Shown.quote(token)
                            + " is not a port number; list numbers from 1 to 65535, separated by spaces or commas");
                }
                int port = token.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(token);
                if (port < 1 || port > 65_535) {
                    throw new IllegalArgumentException("port " + Shown.shorten(token) + " is out of range 1-65535");
                }
                ports.add(port);
            }
            return List.copyOf(ports);
        };
    }

    /** A time of day, {@code HH:MM} (24 hours). */
    static ValueType<java.time.LocalTime> timeOfDay() {
        return text -> {
            java.util.regex.Matcher time = java.util.regex.Pattern.compile("([01]?\\d|2[0-3]):([0-5]\\d)")
                    .matcher(text.strip());
            if (!time.matches()) {
                throw new IllegalArgumentException(Shown.quote(text)
                        + " is not a time of day; write HH:MM, 00:00 to 23:59");
            }
            return java.time.LocalTime.of(Integer.parseInt(time.group(1)), Integer.parseInt(time.group(2)));
        };
    }

    /** An absolute directory path. */
    static ValueType<java.nio.file.Path> directory() {
        return text -> {
            String value = text.strip();
            if (!value.startsWith("/")) {
                throw new IllegalArgumentException(Shown.quote(text) + " is not an absolute path; write it from /");
            }
            return java.nio.file.Path.of(value).normalize();
        };
    }

    /** {@code user@host:/path} or an absolute local path. */
    static ValueType<String> remote() {
        return text -> {
            String value = text.strip();
            if (value.startsWith("/")) {
                return value;
            }
            if (value.matches("[A-Za-z0-9._-]+@[A-Za-z0-9.:\\[\\]-]+:/.*")) {
                if (value.startsWith("-") || value.contains("@-")) {
                    // ssh and rsync would read such a user or host as an option.
                    throw new IllegalArgumentException(Shown.quote(text)
                            + ": neither the user nor the host may begin with '-'");
                }
                return value;
            }
            throw new IllegalArgumentException(Shown.quote(text)
                    + " is neither user@host:/absolute/path nor an absolute local path");
        };
    }

    static ValueType<String> host() {
        return Hosts::validate;
    }

    static ValueType<URI> uri() {
        return text -> {
            try {
                URI uri = new URI(text.strip());
                if (uri.getScheme() == null) {
                    throw new IllegalArgumentException(Shown.quote(text)
                            + " has no scheme; write a libvirt URI such as qemu:///system");
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(Shown.quote(text) + " is not a URI: " + e.getReason());
            }
        };
    }

    /**
     * A command line split into arguments the way a shell would split words (quotes group,
     * backslash escapes), without ever running a shell.
     */
    static ValueType<List<String>> command() {
        return text -> {
            List<String> words = CommandWords.split(text);
            if (words.isEmpty()) {
                throw new IllegalArgumentException("expects a command");
            }
            return words;
        };
    }

    /** ssh arguments, split like {@link #arguments()}; refused when they turn host-key checking off. */
    static ValueType<List<String>> sshOptions() {
        return text -> {
            List<String> words = CommandWords.split(text);
            String refused = dev.mvmm.core.exec.SshOptions.refusal(words);
            if (refused != null) {
                throw new IllegalArgumentException(refused);
            }
            return new ArrayList<>(words);
        };
    }

    /** Splits like {@link #command()} but an empty value is an empty list. */
    static ValueType<List<String>> arguments() {
        return text -> new ArrayList<>(CommandWords.split(text));
    }
}
