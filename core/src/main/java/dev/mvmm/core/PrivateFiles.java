package dev.mvmm.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories and files that may hold secrets (VM disks in backups, restored images, the state
 * database): mvmm creates them for their owner only. Tools it runs (virtnbdbackup, qemu-img) write
 * their files with the process umask, so the directory around them is what keeps others out.
 */
public final class PrivateFiles {

    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /**
     * Creates the directory and any missing parents; those it creates are owner-only (0700), those
     * that exist are left as they are (an operator's choice).
     */
    public static void createDirectories(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute);
            Files.setPosixFilePermissions(absolute, OWNER_ONLY_DIRECTORY);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // Made meanwhile by another process: fine.
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: its own rules apply.
        }
    }

    /** Makes a file mvmm just created readable and writable by its owner only (0600). */
    public static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system.
        }
    }

    /** Whether users other than the owner and group may read or enter it. */
    public static boolean openToOthers(Path path) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            return permissions.contains(PosixFilePermission.OTHERS_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
