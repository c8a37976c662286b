package dev.mvmm.core.replicate;

import java.nio.file.Path;

/**
 * The file system of the host a clone is made on: this host, or a remote one reached over ssh.
 * Every copy is verified before it counts.
 */
public interface TargetFiles {

    String describe();

    boolean exists(String path);

    /** Creates a directory and its parents; returns the topmost directory it created, or null if none. */
    String makeDirectories(String directory);

    /**
     * Copies a disk image thin (holes and zero clusters stay sparse) in {@code format}, then verifies that
     * the copy's content is identical to the source's.
     */
    void copyImage(Path source, String format, String target);

    /** Copies a small file (NVRAM) or a directory tree (TPM state), keeping modes. */
    void copy(Path source, String target);

    /** Removes a file or directory tree; returns false (and logs) when it could not, never throws (cleanup). */
    boolean delete(String path);
}
