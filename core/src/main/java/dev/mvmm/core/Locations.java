package dev.mvmm.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where mvmm finds its configuration and keeps its state, from command-line options, the
 * environment and the host. Kept apart from both so that the precedence is written once.
 */
public final class Locations {

    public static final String CONFIG_DIR_VARIABLE = "MVMM_CONFIG_DIR";
    public static final String STATE_VARIABLE = "MVMM_STATE";
    public static final String LOCK_DIR_VARIABLE = "MVMM_LOCK_DIR";
    public static final Path DEFAULT_STATE = Path.of("/var/lib/mvmm/mvmm.db");

    private Locations() {
    }

    /**
     * {@code --config-dir}, else {@code $MVMM_CONFIG_DIR}, else {@code /etc/pve/mvmm} when
     * {@code /etc/pve} exists (Proxmox's cluster file system), else {@code /etc/mvmm}.
     */
    public static Path configDirectory(Path option, Map<String, String> environment, Predicate<Path> exists) {
        if (option != null) {
            return option;
        }
        String variable = environment.get(CONFIG_DIR_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return Path.of(variable);
        }
        return exists.test(Path.of("/etc/pve")) ? Path.of("/etc/pve/mvmm") : Path.of("/etc/mvmm");
    }

    public static Path configDirectory(Path option) {
        return configDirectory(option, System.getenv(), Files::isDirectory);
    }

    /** {@code --state}, else {@code $MVMM_STATE}, else {@code /var/lib/mvmm/mvmm.db}. */
    public static Path stateFile(Path option, Map<String, String> environment) {
        if (option != null) {
            return option;
        }
        String variable = environment.get(STATE_VARIABLE);
        return variable == null || variable.isBlank() ? DEFAULT_STATE : Path.of(variable);
    }

    /** {@code $MVMM_LOCK_DIR}, else {@code locks/} beside the state database. */
    public static Path lockDirectory(Path stateFile, Map<String, String> environment) {
        String variable = environment.get(LOCK_DIR_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return Path.of(variable);
        }
        Path parent = stateFile.toAbsolutePath().getParent();
        return parent.resolve("locks");
    }

    /**
     * {@code power/} beside the state database: the markers of VMs whose power state mvmm changed
     * and has not yet put back. Beside the database, not in it, so that they outlive a damaged
     * database being moved aside; not in the lock directory, which may be on a tmpfs.
     */
    public static Path powerMarkerDirectory(Path stateFile) {
        return stateFile.toAbsolutePath().getParent().resolve("power");
    }
}
