package dev.mvmm.core.lock;

import dev.mvmm.core.DirectoryIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link VmLocks#holder} for a caller that asks about every VM every few seconds (the monitor),
 * without opening each lock file each time. A VM without a lock file is answered from a
 * {@link DirectoryIndex} of the lock directory. A lock file found free is not opened again while
 * its modification time stays as it was: taking a lock always writes the holder's description
 * into the file, so a lock taken since changed the time. A file whose last change is too recent to
 * tell a later one apart (the file system's clock ticks coarsely) is opened again at every ask.
 *
 * <p>An answer may be up to the index's {@code every} old when a lock file was just created: good
 * enough to tell a check that a VM is busy, never to act on; an action takes the lock itself.
 */
public final class LockSurvey {

    private final VmLocks locks;
    private final DirectoryIndex files;
    /** VMs whose lock file was found free, with the file's modification time then. */
    private final Map<String, FileTime> freeAt = new ConcurrentHashMap<>();

    public LockSurvey(VmLocks locks, Duration every) {
        this.locks = locks;
        this.files = new DirectoryIndex(locks.directory(), every);
    }

    /** Who holds the VM's lock now, if anyone does; as {@link VmLocks#holder}, but cheaper. */
    public Optional<LockHolder> holder(String vm) {
        if (locks.heldHere(vm)) {
            return locks.holder(vm);
        }
        if (!files.mayContain(VmLocks.fileName(vm))) {
            freeAt.remove(vm);
            return Optional.empty();
        }
        Path file = locks.file(vm);
        FileTime known = freeAt.get(vm);
        FileTime modified = modified(file);
        if (known != null && known.equals(modified)) {
            return Optional.empty();
        }
        long probedAt = System.currentTimeMillis();
        Optional<LockHolder> holder = locks.holder(vm);
        if (holder.isEmpty() && modified != null && probedAt - modified.toMillis() > DirectoryIndex.RACY.toMillis()) {
            freeAt.put(vm, modified);
        } else {
            freeAt.remove(vm);
        }
        return holder;
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }
}
