package dev.mvmm.core.restore;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A restore into a directory. {@code chain} is null for the current chain, else an archive name;
 * {@code checkpoint} (a name or an index) or {@code at} picks the point; null for the newest;
 * {@code disk} null for all disks.
 */
public record RestoreRequest(String vm, Path backupPath, String chain, String checkpoint, Instant at, String disk,
        Path target) {

    /** The same restore into another directory. */
    public RestoreRequest withTarget(Path directory) {
        return new RestoreRequest(vm, backupPath, chain, checkpoint, at, disk, directory);
    }
}
