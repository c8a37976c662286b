package dev.mvmm.core.lock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

/** A held per-VM lock; closing releases it. The operating system releases it if mvmm dies. */
public final class VmLock implements AutoCloseable {

    private final String vm;
    private final FileChannel channel;
    private final FileLock lock;
    private final Runnable onRelease;

    VmLock(String vm, FileChannel channel, FileLock lock, Runnable onRelease) {
        this.vm = vm;
        this.channel = channel;
        this.lock = lock;
        this.onRelease = onRelease;
    }

    public String vm() {
        return vm;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // The descriptor is gone; the kernel has dropped the lock with it.
        } finally {
            onRelease.run();
        }
    }
}
