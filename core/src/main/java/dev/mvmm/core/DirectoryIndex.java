package dev.mvmm.core;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The names in a directory, for a caller that asks about them far more often than they change (the
 * monitor looks for a power marker and a lock file at every check: five hundred file-system calls
 * a second at a thousand VMs). The directory is looked at no more often than {@code every}; it is
 * listed again only when its modification time changed, since creating, renaming and deleting an
 * entry all set it.
 *
 * <p>An answer is at most {@code every} old, so an index suits only decisions that are checked
 * again before anything is done (a lock is taken before an action; a marker is read before it is
 * acted on). A listing made within {@link #RACY} of the directory's last change is not trusted to
 * stay current: a change in the same tick of the file system's clock would leave the time as it
 * was. Such a directory is listed again at every look until it has been still for that long.
 * When the directory cannot be looked at, every name may be there: callers then ask the file.
 */
public final class DirectoryIndex {

    /**
     * Longer than any file system's timestamp granularity (ext4, XFS, tmpfs: a clock tick): a file
     * or directory changed more recently than this may change again without its time moving.
     */
    public static final Duration RACY = Duration.ofSeconds(1);

    private final Path directory;
    private final long everyNanos;
    private final Object looking = new Object();
    private volatile View view;

    /**
     * @param names null when the directory could not be read: every name may be there
     * @param settled whether the listing was made long enough after the last change to be trusted
     */
    private record View(Set<String> names, long modified, boolean settled, long lookedAtNanos) {
    }

    public DirectoryIndex(Path directory, Duration every) {
        this.directory = directory;
        this.everyNanos = every.toNanos();
    }

    public Path directory() {
        return directory;
    }

    /**
     * Whether the directory may hold an entry of this name: false only when it held none when last
     * looked at, at most {@code every} ago.
     */
    public boolean mayContain(String name) {
        Set<String> names = current().names();
        return names == null || names.contains(name);
    }

    private View current() {
        View seen = view;
        if (seen != null && System.nanoTime() - seen.lookedAtNanos() < everyNanos) {
            return seen;
        }
        synchronized (looking) {
            seen = view;
            long now = System.nanoTime();
            if (seen != null && now - seen.lookedAtNanos() < everyNanos) {
                return seen;
            }
            View next = look(seen, now);
            view = next;
            return next;
        }
    }

    /** One look: the directory's time (java.io: no exception when it is missing), then its names if it changed. */
    private View look(View before, long now) {
        File folder = directory.toFile();
        long modified = folder.lastModified();
        if (modified == 0) {
            // Missing, or not to be looked at (then every name may be there).
            return new View(folder.exists() ? null : Set.of(), 0, false, now);
        }
        if (before != null && before.settled() && before.names() != null && modified == before.modified()) {
            return new View(before.names(), modified, true, now);
        }
        long listedAt = System.currentTimeMillis();
        String[] entries = folder.list();
        if (entries == null) {
            return new View(null, 0, false, now);
        }
        return new View(Set.of(entries), modified, listedAt - modified > RACY.toMillis(), now);
    }
}
