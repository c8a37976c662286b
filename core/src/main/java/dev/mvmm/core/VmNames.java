package dev.mvmm.core;

import dev.mvmm.core.config.Shown;

/**
 * The rule for VM names that mvmm maps to file names (configuration files, locks, chains under
 * {@code backup_path}) and passes to other programs: letters, digits, and {@code . _ + -}, starting
 * with a letter, a digit, {@code _} or {@code +} (not a dot, which hides a file or climbs a
 * directory, and not {@code -}, which a program would read as an option), at most 200 characters.
 * libvirt allows more, but a name outside this set could escape a directory or confuse a
 * shell-minded reader. Two names are reserved for mvmm's own entries in {@code backup_path}:
 * {@code restores}, and any name ending like an archived chain ({@code .20261121T135203Z}), which
 * another VM's retention would take for one of its archives.
 */
public final class VmNames {

    private static final int LONGEST = 200;
    /** The end of an archived chain's name: {@code .20261121T135203Z}. */
    private static final String ARCHIVE_SUFFIX = ".00000000T000000Z";

    private VmNames() {
    }

    /** Why a name cannot be used, or {@code null} when it can. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "VM name '' cannot be used: a VM needs a name";
        }
        if (!hasSafeCharacters(name)) {
            return "VM name " + Shown.quote(name) + " cannot be used: names may contain letters, digits and . _ + - "
                    + "(not starting with a dot or a dash, at most 200 characters); rename the file or the domain";
        }
        if (name.equals("restores") || endsLikeAnArchive(name)) {
            return "VM name " + Shown.quote(name) + " cannot be used: mvmm keeps its restores and archived chains "
                    + "under such names in backup_path; rename the file or the domain";
        }
        return null;
    }

    // Written out, not regular expressions: the monitor asks for every VM at every check (its lock,
    // its power marker) and every command for every configuration file; VmNamesTest checks these
    // against the rule as regular expressions.

    /** {@code [A-Za-z0-9_+][A-Za-z0-9._+-]{0,199}}. */
    private static boolean hasSafeCharacters(String name) {
        int length = name.length();
        if (length > LONGEST) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            boolean alphanumeric = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alphanumeric && c != '_' && c != '+' && (i == 0 || c != '.' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@code .*\.[0-9]{8}T[0-9]{6}Z}. */
    private static boolean endsLikeAnArchive(String name) {
        int start = name.length() - ARCHIVE_SUFFIX.length();
        if (start < 0) {
            return false;
        }
        for (int i = 0; i < ARCHIVE_SUFFIX.length(); i++) {
            char pattern = ARCHIVE_SUFFIX.charAt(i);
            char c = name.charAt(start + i);
            if (pattern == '0' ? c < '0' || c > '9' : c != pattern) {
                return false;
            }
        }
        return true;
    }

    public static boolean isSafe(String name) {
        return problem(name) == null;
    }

    /** The name itself, for a caller about to build a path or a command from it; throws when it is not safe. */
    public static String require(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new UnsafeNameException(problem);
        }
        return name;
    }

    /** A name that {@link #require} refused: nothing was done with it. */
    public static final class UnsafeNameException extends MvmmException {
        UnsafeNameException(String message) {
            super(message);
        }
    }
}
