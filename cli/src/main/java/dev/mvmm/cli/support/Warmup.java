package dev.mvmm.cli.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Does, on a second thread while the main one parses the command line and reads the configuration,
 * the start-up work a command will need and that does not depend on its arguments: tinylog's runtime
 * (its start time comes from the JMX runtime bean, ~20 ms), the JDK's locale data (SQLite's date
 * formats load it when the database is opened, ~15 ms), libvirt's C library through JNA (~100 ms)
 * and SQLite's. libvirt comes first: it is the longest, and a check's main thread reached it while
 * this thread was still on the others (a timeline of class loads showed it waiting ~80 ms). On a
 * two-core host this takes most of that work off the path a timer's run waits on (measured:
 * BENCHMARKS.md). Nothing here can fail a command:
 * whatever goes wrong is met again, and reported, where it is really used.
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
        if (libvirt) {
            // Reported, if it fails, when libvirt is connected to.
            dev.mvmm.core.host.libvirt.LibvirtHypervisor.preload();
        }
        try {
            org.tinylog.runtime.RuntimeProvider.getProcessId();
            java.util.Calendar.getInstance();
            java.text.DateFormatSymbols.getInstance();
            java.time.ZoneId.systemDefault().getRules();
        } catch (RuntimeException | LinkageError e) {
            // Only a warm-up.
        }
        try {
            org.sqlite.SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            // Reported when the state database is opened.
        }
    }
}
