package dev.mvmm.core;

import java.util.regex.Pattern;

/**
 * The rule for VM names that mvmm maps to file names (configuration files, locks): letters,
 * digits, and {@code . _ + -}, not starting with a dot, at most 200 characters. libvirt allows
 * more, but a name outside this set could escape a directory or confuse a shell-minded reader.
 */
public final class VmNames {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,199}");

    private VmNames() {
    }

    /** Why a name cannot be used, or {@code null} when it can. */
    public static String problem(String name) {
        if (SAFE.matcher(name).matches()) {
            return null;
        }
        return "VM name '" + name + "' cannot be used: names may contain letters, digits and . _ + - "
                + "(not starting with a dot, at most 200 characters); rename the file or the domain";
    }

    public static boolean isSafe(String name) {
        return problem(name) == null;
    }
}
