package dev.mvmm.core.notify;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * Delivers events on a thread of its own, so that a slow or hanging notifier (each command is
 * already limited in time) never delays a check. When too many events are waiting, new ones are
 * dropped and logged rather than piling up.
 */
public final class AsyncNotifier implements Notifier, AutoCloseable {

    private static final int CAPACITY = 200;

    private final Notifier delegate;
    private final ThreadPoolExecutor executor;

    public AsyncNotifier(Notifier delegate) {
        this.delegate = delegate;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(CAPACITY),
                runnable -> {
                    Thread thread = new Thread(runnable, "mvmm-notify");
                    thread.setDaemon(true);
                    return thread;
                }, (task, pool) -> Logger.warn("too many notifications waiting; one was dropped"));
    }

    @Override
    public void notify(Event event) {
        executor.execute(() -> {
            try {
                delegate.notify(event);
            } catch (RuntimeException e) {
                Logger.tag(event.vm()).warn("notification failed: {}", e.getMessage());
            }
        });
    }

    /** Waits up to {@code limit} for the events already queued to be delivered. */
    public void close(Duration limit) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                Logger.warn("notifications still running after {}s were abandoned", limit.toSeconds());
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(40));
    }
}
