package dev.mvmm.core.probe;

import dev.mvmm.core.config.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * TCP connect probes. One thread and one selector drive every connection in flight, so a pass over
 * a thousand VMs costs about one connect timeout and a few megabytes, and in {@code monitor} each
 * VM's probes complete on their own: a port that hangs delays nobody else. Host names are resolved
 * on a small pool, bounded by the probe's timeout.
 */
public final class Prober implements AutoCloseable {

    private static final int MAX_IN_FLIGHT = 2000;

    private final Queue<Attempt> submitted = new ConcurrentLinkedQueue<>();
    private final Object lifecycle = new Object();
    private Selector selector;
    private Thread loop;
    private ExecutorService resolver;
    private volatile boolean closed;
    /** Per thread: inside {@link #batch}, submits wake the probe loop once, at its end. */
    private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(Batch::new);

    private static final class Batch {
        int depth;
        boolean wakeOwed;
    }

    /**
     * Runs {@code work}, whose probes start together when it returns: a caller submitting many
     * probes at once (the monitor's checks of one slot) wakes the probe loop once rather than for
     * each of them. {@code work} must not wait for a probe it submitted: none starts before it returns.
     */
    public void batch(Runnable work) {
        Batch batch = batches.get();
        batch.depth++;
        try {
            work.run();
        } finally {
            if (--batch.depth == 0 && batch.wakeOwed) {
                batch.wakeOwed = false;
                wakeLoop();
            }
        }
    }

    /** Probes every distinct target once and waits for all of them. */
    public Map<PortTarget, PortResult> probe(Collection<PortTarget> targets) {
        return submit(targets).join();
    }

    /** Starts probing; the future completes when every target has an answer or timed out. */
    public CompletableFuture<Map<PortTarget, PortResult>> submit(Collection<PortTarget> targets) {
        List<PortTarget> distinct = new ArrayList<>(new LinkedHashSet<>(targets));
        List<CompletableFuture<PortResult>> results = new ArrayList<>(distinct.size());
        for (PortTarget target : distinct) {
            results.add(resolve(target).thenCompose(address -> address == null
                    ? CompletableFuture.completedFuture(PortResult.failed(target, Duration.ZERO,
                            "cannot resolve host name " + target.host()))
                    : connect(target, address)));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<PortTarget, PortResult> map = new LinkedHashMap<>();
            for (int i = 0; i < distinct.size(); i++) {
                map.put(distinct.get(i), results.get(i).join());
            }
            return map;
        });
    }

    private CompletableFuture<InetAddress> resolve(PortTarget target) {
        String host = target.host();
        if (isLiteral(host)) {
            try {
                // A literal address is parsed, never looked up.
                return CompletableFuture.completedFuture(InetAddress.getByName(host));
            } catch (UnknownHostException e) {
                return CompletableFuture.completedFuture(null);
            }
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                return null;
            }
        }, resolver()).completeOnTimeout(null, target.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<PortResult> connect(PortTarget target, InetAddress address) {
        Attempt attempt = new Attempt(target, new InetSocketAddress(address, target.port()));
        if (closed) {
            attempt.result.complete(PortResult.failed(target, Duration.ZERO, "probing stopped"));
            return attempt.result;
        }
        submitted.add(attempt);
        Batch batch = batches.get();
        if (batch.depth > 0) {
            batch.wakeOwed = true;
        } else {
            wakeLoop();
        }
        return attempt.result;
    }

    private static final class Attempt {
        final PortTarget target;
        final InetSocketAddress address;
        final CompletableFuture<PortResult> result = new CompletableFuture<>();
        SocketChannel channel;
        long startNanos;
        long deadlineNanos;

        Attempt(PortTarget target, InetSocketAddress address) {
            this.target = target;
            this.address = address;
        }

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }

        void finish(PortResult outcome) {
            close(channel);
            result.complete(outcome);
        }
    }

    private void wakeLoop() {
        synchronized (lifecycle) {
            if (loop == null) {
                try {
                    selector = Selector.open();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot open a selector for probes: " + e.getMessage(), e);
                }
                loop = new Thread(this::run, "mvmm-probe");
                loop.setDaemon(true);
                loop.start();
            } else {
                selector.wakeup();
            }
        }
    }

    private void run() {
        Queue<Attempt> waiting = new ArrayDeque<>();
        List<Attempt> inFlight = new ArrayList<>();
        try {
            while (!closed) {
                for (Attempt next; (next = submitted.poll()) != null; ) {
                    waiting.add(next);
                }
                while (inFlight.size() < MAX_IN_FLIGHT && !waiting.isEmpty()) {
                    Attempt attempt = waiting.poll();
                    if (start(attempt)) {
                        inFlight.add(attempt);
                    }
                }
                long waitMillis = 1000;
                long now = System.nanoTime();
                for (Attempt attempt : inFlight) {
                    waitMillis = Math.min(waitMillis, TimeUnit.NANOSECONDS.toMillis(attempt.deadlineNanos - now) + 1);
                }
                selector.select(Math.max(1, waitMillis));
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    Attempt attempt = (Attempt) key.attachment();
                    key.cancel();
                    finishConnect(attempt);
                    inFlight.remove(attempt);
                }
                long after = System.nanoTime();
                for (Iterator<Attempt> it = inFlight.iterator(); it.hasNext(); ) {
                    Attempt attempt = it.next();
                    if (after - attempt.deadlineNanos >= 0) {
                        attempt.finish(PortResult.failed(attempt.target, attempt.target.timeout(),
                                "timed out after " + Durations.format(attempt.target.timeout())));
                        it.remove();
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            // Closing: whatever is still in flight fails below.
        } finally {
            for (Attempt attempt : inFlight) {
                attempt.finish(PortResult.failed(attempt.target, attempt.elapsed(), "probing stopped"));
            }
            for (Attempt attempt : waiting) {
                attempt.result.complete(PortResult.failed(attempt.target, Duration.ZERO, "probing stopped"));
            }
            for (Attempt next; (next = submitted.poll()) != null; ) {
                next.result.complete(PortResult.failed(next.target, Duration.ZERO, "probing stopped"));
            }
        }
    }

    /** Begins a connect; returns whether it is now in flight. */
    private boolean start(Attempt attempt) {
        attempt.startNanos = System.nanoTime();
        attempt.deadlineNanos = attempt.startNanos + attempt.target.timeout().toNanos();
        try {
            attempt.channel = SocketChannel.open();
            attempt.channel.configureBlocking(false);
            if (attempt.channel.connect(attempt.address)) {
                attempt.finish(PortResult.open(attempt.target, attempt.elapsed()));
                return false;
            }
            attempt.channel.register(selector, SelectionKey.OP_CONNECT, attempt);
            return true;
        } catch (IOException e) {
            attempt.finish(PortResult.failed(attempt.target, attempt.elapsed(), describe(e)));
            return false;
        }
    }

    private static void finishConnect(Attempt attempt) {
        try {
            if (attempt.channel.finishConnect()) {
                attempt.finish(PortResult.open(attempt.target, attempt.elapsed()));
            }
        } catch (IOException e) {
            attempt.finish(PortResult.failed(attempt.target, attempt.elapsed(), describe(e)));
        }
    }

    private ExecutorService resolver() {
        synchronized (lifecycle) {
            if (resolver == null) {
                resolver = Executors.newFixedThreadPool(4, runnable -> {
                    Thread thread = new Thread(runnable, "mvmm-resolve");
                    thread.setDaemon(true);
                    return thread;
                });
            }
            return resolver;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lifecycle) {
            if (selector != null) {
                selector.wakeup();
            }
            if (resolver != null) {
                resolver.shutdownNow();
            }
        }
        Thread thread = loop;
        if (thread != null) {
            try {
                thread.join(2000);
                selector.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // The selector is released with the process anyway.
            }
        }
    }

    private static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "refused";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.toLowerCase(Locale.ROOT);
    }

    private static void close(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // A socket that fails to close has nothing more to tell.
            }
        }
    }
}
