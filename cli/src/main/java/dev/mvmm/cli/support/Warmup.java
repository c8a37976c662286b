package dev.mvmm.cli.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Loads the two native libraries a command will need (SQLite's, and libvirt's through JNA) on a
 * second thread while the main one parses the command line and reads the configuration: on a
 * two-core host that hides most of their start-up cost. Nothing here can fail a command: whatever
 * goes wrong is met again, and reported, where the library is really used.
 */
public final class Warmup {

    private static final Set<String> STATE = Set.of("check", "monitor", "maintenance", "stats", "backup", "restore",
            "patch", "replicate");
    private static final Set<String> LIBVIRT = Set.of("check", "monitor", "backup", "restore", "patch", "replicate");

    private Warmup() {
    }

    /** Starts the warm-up for a subcommand (null: none). */
    public static void start(String command) {
        if (command == null || !STATE.contains(command)) {
            return;
        }
        // On Proxmox VE the hypervisor is qm unless configured otherwise: libvirt is likely not needed.
        boolean libvirt = LIBVIRT.contains(command) && !Files.isDirectory(Path.of("/etc/pve"));
        Thread thread = new Thread(() -> load(libvirt), "mvmm-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    private static void load(boolean libvirt) {
        try {
            org.sqlite.SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            // Reported when the state database is opened.
        }
        if (libvirt) {
            try {
                dev.mvmm.core.host.libvirt.NativeSearchPath.prepare();
                Class.forName("org.libvirt.Connect", true, Warmup.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // Reported when libvirt is connected to.
            }
        }
    }
}
