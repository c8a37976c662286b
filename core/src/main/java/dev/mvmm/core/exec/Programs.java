package dev.mvmm.core.exec;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finding programs the way a shell would, on the PATH. */
public final class Programs {

    private Programs() {
    }

    public static boolean onPath(String program) {
        for (String directory : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }
}
