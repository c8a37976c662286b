package dev.mvmm.core.exec;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finding programs the way a shell would, on the PATH. */
public final class Programs {

    private Programs() {
    }

    /** The PATH of this process, or the usual system directories when it has none. */
    public static String path() {
        return System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    }

    public static boolean onPath(String program) {
        return onPath(program, path());
    }

    /** Whether an executable {@code program} is in one of the directories of {@code path} (colon-separated). */
    public static boolean onPath(String program, String path) {
        for (String directory : path.split(":")) {
            Path candidate = directory.isEmpty() ? null : Path.of(directory, program);
            // A directory is 'executable' too; a shell does not run it.
            if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return true;
            }
        }
        return false;
    }
}
