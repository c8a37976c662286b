package dev.mvmm.core.exec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The options every ssh that mvmm runs gets: its secure defaults and the operator's {@code ssh_opts}.
 * ssh takes the first value it sees for an option, so a default the operator sets again with
 * {@code -o} is left out rather than put first (where it would silently win). Turning host-key
 * checking off ({@code StrictHostKeyChecking=no}) is refused: it is never mvmm's choice to make.
 */
public final class SshOptions {

    /** Batch mode (never a prompt), host keys checked ({@code accept-new} at most), a connect timeout, keep-alives. */
    public static final List<String> DEFAULTS = List.of("-o", "BatchMode=yes", "-o",
            "StrictHostKeyChecking=accept-new", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15", "-o",
            "ServerAliveCountMax=4");

    /** ssh's options that take an argument (its getopt string), so bundles such as {@code -qoKey=V} parse. */
    private static final String WITH_ARGUMENT = "BbcDEeFIiJLlmOoPpQRSWw";

    private SshOptions() {
    }

    /** The defaults the operator did not set, then the operator's options. */
    public static List<String> merge(List<String> user) {
        String refused = refusal(user);
        if (refused != null) {
            throw new IllegalArgumentException(refused);
        }
        Set<String> set = new HashSet<>();
        for (String option : options(user)) {
            set.add(key(option));
        }
        List<String> merged = new ArrayList<>();
        for (int i = 0; i < DEFAULTS.size(); i += 2) {
            if (!set.contains(key(DEFAULTS.get(i + 1)))) {
                merged.addAll(DEFAULTS.subList(i, i + 2));
            }
        }
        merged.addAll(user);
        return merged;
    }

    /** Why these ssh arguments are refused, or null: they must not turn host-key checking off. */
    public static String refusal(List<String> user) {
        for (String option : options(user)) {
            if (key(option).equals("stricthostkeychecking")
                    && List.of("no", "off", "false").contains(value(option).toLowerCase(Locale.ROOT))) {
                return "'" + option + "' turns host-key checking off, which mvmm never does: leave it out (mvmm uses "
                        + "StrictHostKeyChecking=accept-new) or write yes, and put the host's key in known_hosts";
            }
        }
        return null;
    }

    /**
     * The ssh command for rsync's {@code -e}. rsync splits that string itself and runs the words
     * without a shell: spaces separate words, single or double quotes group, a backslash is an
     * ordinary character, and a quote doubled inside quotes of its kind is one quote (rsync(1),
     * {@code --rsh}). So a word other than plain letters, digits and {@code _./=:@,+%-} is written in
     * single quotes with each {@code '} inside doubled; POSIX's {@code '\''} would break there.
     */
    public static String rsyncShell(List<String> options) {
        StringBuilder shell = new StringBuilder("ssh");
        for (String option : options) {
            shell.append(' ').append(option.matches("[A-Za-z0-9_./=:@,+%-]+") ? option
                    : "'" + option.replace("'", "''") + "'");
        }
        return shell.toString();
    }

    /** The values of every {@code -o} in an ssh argument list, in order. */
    static List<String> options(List<String> arguments) {
        List<String> options = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            String word = arguments.get(i);
            if (!word.startsWith("-") || word.startsWith("--") || word.length() < 2) {
                continue;
            }
            for (int c = 1; c < word.length(); c++) {
                char flag = word.charAt(c);
                if (WITH_ARGUMENT.indexOf(flag) >= 0) {
                    String argument = c + 1 < word.length() ? word.substring(c + 1)
                            : i + 1 < arguments.size() ? arguments.get(++i) : "";
                    if (flag == 'o') {
                        options.add(argument);
                    }
                    break;
                }
            }
        }
        return options;
    }

    /** {@code Key=value} or {@code Key value}, as ssh reads an option: the key in lower case. */
    private static String key(String option) {
        String[] parts = option.strip().split("[\\s=]+", 2);
        return parts[0].toLowerCase(Locale.ROOT);
    }

    private static String value(String option) {
        String[] parts = option.strip().split("[\\s=]+", 2);
        return parts.length < 2 ? "" : parts[1].strip();
    }
}
