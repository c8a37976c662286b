package dev.mvmm.core.probe;

import dev.mvmm.core.config.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * TCP connect probes, all at once. One thread and one selector drive every connection, so a pass
 * over a thousand VMs costs about one connect timeout and a few megabytes, not a thread per port.
 * Host names are resolved first, on a small pool, bounded by the longest timeout.
 */
public final class Prober {

    private static final int MAX_IN_FLIGHT = 900;

    /** Probes every distinct target once; results are keyed by target. */
    public Map<PortTarget, PortResult> probe(Collection<PortTarget> targets) {
        Map<PortTarget, PortResult> results = new LinkedHashMap<>();
        if (targets.isEmpty()) {
            return results;
        }
        Map<String, Object> addresses = resolve(targets);
        Queue<PortTarget> waiting = new ArrayDeque<>();
        for (PortTarget target : new java.util.LinkedHashSet<>(targets)) {
            Object address = addresses.get(target.host());
            if (address instanceof InetAddress) {
                waiting.add(target);
            } else {
                results.put(target, PortResult.failed(target, Duration.ZERO, (String) address));
            }
        }
        try (Selector selector = Selector.open()) {
            connectAll(selector, waiting, addresses, results);
        } catch (IOException e) {
            for (PortTarget target : waiting) {
                results.putIfAbsent(target, PortResult.failed(target, Duration.ZERO, "probe failed: " + e.getMessage()));
            }
        }
        return results;
    }

    private static final class Attempt {
        final PortTarget target;
        final SocketChannel channel;
        final long startNanos;
        final long deadlineNanos;

        Attempt(PortTarget target, SocketChannel channel, long startNanos) {
            this.target = target;
            this.channel = channel;
            this.startNanos = startNanos;
            this.deadlineNanos = startNanos + target.timeout().toNanos();
        }
    }

    private static void connectAll(Selector selector, Queue<PortTarget> waiting, Map<String, Object> addresses,
            Map<PortTarget, PortResult> results) throws IOException {
        List<Attempt> inFlight = new ArrayList<>();
        while (!waiting.isEmpty() || !inFlight.isEmpty()) {
            while (inFlight.size() < MAX_IN_FLIGHT && !waiting.isEmpty()) {
                PortTarget target = waiting.poll();
                Attempt attempt = start(selector, target, (InetAddress) addresses.get(target.host()), results);
                if (attempt != null) {
                    inFlight.add(attempt);
                }
            }
            if (inFlight.isEmpty()) {
                continue;
            }
            long now = System.nanoTime();
            long nearest = Long.MAX_VALUE;
            for (Attempt attempt : inFlight) {
                nearest = Math.min(nearest, attempt.deadlineNanos);
            }
            long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nearest - now) + 1);
            selector.select(waitMillis);
            Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
            while (ready.hasNext()) {
                SelectionKey key = ready.next();
                ready.remove();
                Attempt attempt = (Attempt) key.attachment();
                finish(attempt, results);
                key.cancel();
                inFlight.remove(attempt);
            }
            long after = System.nanoTime();
            for (Iterator<Attempt> it = inFlight.iterator(); it.hasNext(); ) {
                Attempt attempt = it.next();
                if (after - attempt.deadlineNanos >= 0) {
                    results.put(attempt.target, PortResult.failed(attempt.target, attempt.target.timeout(),
                            "timed out after " + Durations.format(attempt.target.timeout())));
                    close(attempt.channel);
                    it.remove();
                }
            }
        }
        selector.selectNow();
    }

    private static Attempt start(Selector selector, PortTarget target, InetAddress address,
            Map<PortTarget, PortResult> results) {
        long start = System.nanoTime();
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            if (channel.connect(new InetSocketAddress(address, target.port()))) {
                results.put(target, PortResult.open(target, elapsed(start)));
                close(channel);
                return null;
            }
            Attempt attempt = new Attempt(target, channel, start);
            channel.register(selector, SelectionKey.OP_CONNECT, attempt);
            return attempt;
        } catch (IOException e) {
            results.put(target, PortResult.failed(target, elapsed(start), describe(e)));
            close(channel);
            return null;
        }
    }

    private static void finish(Attempt attempt, Map<PortTarget, PortResult> results) {
        try {
            if (attempt.channel.finishConnect()) {
                results.put(attempt.target, PortResult.open(attempt.target, elapsed(attempt.startNanos)));
            }
        } catch (IOException e) {
            results.put(attempt.target, PortResult.failed(attempt.target, elapsed(attempt.startNanos), describe(e)));
        } finally {
            close(attempt.channel);
        }
    }

    private static Map<String, Object> resolve(Collection<PortTarget> targets) {
        Map<String, Duration> hosts = new HashMap<>();
        for (PortTarget target : targets) {
            hosts.merge(target.host(), target.timeout(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        Map<String, Object> addresses = new HashMap<>();
        Map<String, CompletableFuture<InetAddress>> lookups = new HashMap<>();
        ExecutorService pool = null;
        for (Map.Entry<String, Duration> host : hosts.entrySet()) {
            if (isLiteral(host.getKey())) {
                try {
                    // A literal address is parsed, never looked up.
                    addresses.put(host.getKey(), InetAddress.getByName(host.getKey()));
                } catch (UnknownHostException e) {
                    addresses.put(host.getKey(), "invalid address " + host.getKey());
                }
                continue;
            }
            if (pool == null) {
                pool = Executors.newFixedThreadPool(4, runnable -> {
                    Thread thread = new Thread(runnable, "mvmm-resolve");
                    thread.setDaemon(true);
                    return thread;
                });
            }
            String name = host.getKey();
            lookups.put(name, CompletableFuture.supplyAsync(() -> {
                try {
                    return InetAddress.getByName(name);
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("cannot resolve host name " + name);
                }
            }, pool));
        }
        for (Map.Entry<String, CompletableFuture<InetAddress>> lookup : lookups.entrySet()) {
            try {
                addresses.put(lookup.getKey(),
                        lookup.getValue().get(hosts.get(lookup.getKey()).toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                addresses.put(lookup.getKey(), "name lookup of " + lookup.getKey() + " timed out");
            } catch (ExecutionException e) {
                addresses.put(lookup.getKey(), e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                addresses.put(lookup.getKey(), "interrupted");
            }
        }
        if (pool != null) {
            pool.shutdownNow();
        }
        return addresses;
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
        return message == null ? e.getClass().getSimpleName() : message.toLowerCase(java.util.Locale.ROOT);
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
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
