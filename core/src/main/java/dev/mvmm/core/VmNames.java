package dev.mvmm.core;

import dev.mvmm.core.config.Shown;
import java.util.regex.Pattern;

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

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_+][A-Za-z0-9._+-]{0,199}");
    private static final Pattern ARCHIVE_LIKE = Pattern.compile(".*\\.[0-9]{8}T[0-9]{6}Z");
    /**
     * Names already found safe. The monitor asks for every VM at every check (its lock, its power
     * marker), and two regular expressions a time were a visible part of a check's cost. A host has a
     * bounded set of names; past this many, names are simply checked again.
     */
    private static final int REMEMBERED = 10_000;
    private static final java.util.Set<String> KNOWN_SAFE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private VmNames() {
    }

    /** Why a name cannot be used, or {@code null} when it can. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "VM name '' cannot be used: a VM needs a name";
        }
        if (KNOWN_SAFE.contains(name)) {
            return null;
        }
        if (!SAFE.matcher(name).matches()) {
            return "VM name " + Shown.quote(name) + " cannot be used: names may contain letters, digits and . _ + - "
                    + "(not starting with a dot or a dash, at most 200 characters); rename the file or the domain";
        }
        if (name.equals("restores") || ARCHIVE_LIKE.matcher(name).matches()) {
            return "VM name " + Shown.quote(name) + " cannot be used: mvmm keeps its restores and archived chains "
                    + "under such names in backup_path; rename the file or the domain";
        }
        if (KNOWN_SAFE.size() < REMEMBERED) {
            KNOWN_SAFE.add(name);
        }
        return null;
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
