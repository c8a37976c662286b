package dev.mvmm.core.lock;

import dev.mvmm.core.MvmmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-VM locks shared by every mvmm command and process: a {@code flock}-style lock on
 * {@code <dir>/<VM>.lock}. A check never reboots a VM that a backup holds, a second backup skips a
 * VM the first one holds. Lock files are never deleted (deleting them would let two processes lock
 * two different files of the same name); they hold the current holder's description for messages.
 *
 * <p>The JDK locks with POSIX record locks, which a process loses when it closes <em>any</em>
 * descriptor of the file. So a lock file this process holds is never opened a second time: its
 * holder is answered from memory.
 */
public final class VmLocks {

    private static final Map<String, LockHolder> HELD_HERE = new ConcurrentHashMap<>();

    private final Path directory;
    private final Clock clock;
    private final Duration patience;

    public VmLocks(Path directory, Clock clock) {
        this(directory, clock, Duration.ZERO);
    }

    /** @param patience how long {@link #tryLock} waits for a busy VM before giving up (--wait) */
    public VmLocks(Path directory, Clock clock, Duration patience) {
        this.directory = directory;
        this.clock = clock;
        this.patience = patience;
    }

    public Path directory() {
        return directory;
    }

    /**
     * Takes the lock if it is free, or becomes free within this instance's patience (none by default);
     * empty when another operation still holds it.
     */
    public Optional<VmLock> tryLock(String vm, String operation) {
        if (patience.isZero()) {
            return attempt(vm, operation);
        }
        try {
            return Optional.of(lock(vm, operation, patience));
        } catch (LockedException e) {
            return Optional.empty();
        }
    }

    private Optional<VmLock> attempt(String vm, String operation) {
        Path file = file(vm);
        String heldKey = file.toAbsolutePath().toString();
        LockHolder me = new LockHolder(operation, ProcessHandle.current().pid(), clock.instant().toString());
        if (HELD_HERE.putIfAbsent(heldKey, me) != null) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                HELD_HERE.remove(heldKey);
                return Optional.empty();
            }
            describeHolder(channel, me);
            return Optional.of(new VmLock(vm, channel, lock, () -> HELD_HERE.remove(heldKey)));
        } catch (IOException e) {
            HELD_HERE.remove(heldKey);
            closeQuietly(channel);
            throw new LockFailure("cannot lock VM " + vm + " with " + file + ": " + e.getMessage()
                    + "; check that the lock directory is writable", e);
        }
    }

    /** Takes the lock, waiting up to {@code wait} for it; throws {@link LockedException} after that. */
    public VmLock lock(String vm, String operation, Duration wait) {
        Instant deadline = clock.instant().plus(wait);
        while (true) {
            Optional<VmLock> lock = attempt(vm, operation);
            if (lock.isPresent()) {
                return lock.get();
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new LockedException(vm, holder(vm).map(LockHolder::toString).orElse("another mvmm process"));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockedException(vm, "another mvmm process (interrupted while waiting)");
            }
        }
    }

    /** Who holds the lock now, if anyone does. */
    public Optional<LockHolder> holder(String vm) {
        Path file = file(vm);
        LockHolder mine = HELD_HERE.get(file.toAbsolutePath().toString());
        if (mine != null) {
            return Optional.of(mine);
        }
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe != null) {
                probe.release();
                return Optional.empty();
            }
            ByteBuffer content = ByteBuffer.allocate(512);
            channel.read(content, 0);
            // "OPERATION PID SINCE": the operation may hold spaces ("replicate to web2"), the others do not.
            String text = new String(content.array(), 0, content.position(), StandardCharsets.UTF_8).strip();
            int since = text.lastIndexOf(' ');
            int pid = since < 0 ? -1 : text.lastIndexOf(' ', since - 1);
            if (pid > 0) {
                return Optional.of(new LockHolder(text.substring(0, pid), Long.parseLong(text.substring(pid + 1,
                        since)), text.substring(since + 1)));
            }
            return Optional.of(new LockHolder("another mvmm operation", 0, "unknown"));
        } catch (IOException | NumberFormatException e) {
            return Optional.of(new LockHolder("another mvmm operation", 0, "unknown"));
        }
    }

    /** The VM's lock file; a name that could leave the lock directory is refused, never resolved. */
    Path file(String vm) {
        return directory.resolve(fileName(vm));
    }

    /** The name of the VM's lock file in the lock directory. */
    static String fileName(String vm) {
        return dev.mvmm.core.VmNames.require(vm) + ".lock";
    }

    /** Whether this process holds the VM's lock (its holder is then known without opening the file). */
    boolean heldHere(String vm) {
        // Usually none is: the monitor asks at every check, and the path is not worked out for nothing.
        return !HELD_HERE.isEmpty() && HELD_HERE.containsKey(file(vm).toAbsolutePath().toString());
    }

    private static void describeHolder(FileChannel channel, LockHolder holder) throws IOException {
        String text = holder.operation() + " " + holder.pid() + " " + holder.since() + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Already failing; the first error is the one worth reporting.
            }
        }
    }

    /** The lock directory itself is unusable. */
    public static final class LockFailure extends MvmmException {
        LockFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
