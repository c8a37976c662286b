package dev.mvmm.core.health.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A VM's "service": a real listener on 127.0.0.1 that accepts and drops every connection while
 * open (so the backlog never fills) and refuses them while closed. Every change is recorded in
 * its {@link Timeline}; the gaps between connections show how often the monitor probed it.
 */
public final class Service implements AutoCloseable {

    private final String vm;
    private final int port;
    private final Clock clock;
    private final Timeline timeline = new Timeline();
    private ServerSocket server;
    private Instant lastSeen;
    private volatile Instant measureFrom = Instant.MAX;
    private Duration longestGap = Duration.ZERO;
    private Instant longestGapAt;
    private long probes;

    public Service(String vm, int port, Clock clock) {
        this.vm = vm;
        this.port = port;
        this.clock = clock;
    }

    public String vm() {
        return vm;
    }

    public int port() {
        return port;
    }

    public Timeline timeline() {
        return timeline;
    }

    /** Opens the listener (nothing when open); a port taken by someone else meanwhile fails loudly. */
    public synchronized void open() {
        if (server != null) {
            return;
        }
        ServerSocket socket = bind();
        server = socket;
        Instant now = clock.instant();
        timeline.record(now, true);
        lastSeen = now;
        Thread accepter = new Thread(() -> accept(socket), "soak-" + vm);
        accepter.setDaemon(true);
        accepter.start();
    }

    private ServerSocket bind() {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return socket;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(5);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new UncheckedIOException("cannot reopen port " + port + " of " + vm
                + " (taken by another process while closed? the ground truth would be wrong)", last);
    }

    /** Closes the listener (nothing when closed): connections are refused from now on. */
    public synchronized void close() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = null;
        timeline.record(clock.instant(), false);
        lastSeen = null;
    }

    public synchronized boolean isOpen() {
        return server != null;
    }

    /** Gaps between probes are measured from {@code from} on (once the monitor has begun). */
    public void measureFrom(Instant from) {
        this.measureFrom = from;
    }

    private void accept(ServerSocket socket) {
        while (true) {
            try {
                Socket connection = socket.accept();
                seen();
                connection.close();
            } catch (IOException e) {
                return;
            }
        }
    }

    private synchronized void seen() {
        Instant now = clock.instant();
        probes++;
        if (lastSeen != null && now.isAfter(measureFrom)) {
            Instant since = lastSeen.isAfter(measureFrom) ? lastSeen : measureFrom;
            Duration gap = Duration.between(since, now);
            if (gap.compareTo(longestGap) > 0) {
                longestGap = gap;
                longestGapAt = now;
            }
        }
        lastSeen = now;
    }

    /** The longest time the service was open without a probe, up to {@code end} (or now, if still open). */
    public synchronized Duration longestGap(Instant end) {
        if (server != null && lastSeen != null && end.isAfter(measureFrom)) {
            Instant since = lastSeen.isAfter(measureFrom) ? lastSeen : measureFrom;
            Duration tail = Duration.between(since, end);
            if (tail.compareTo(longestGap) > 0) {
                return tail;
            }
        }
        return longestGap;
    }

    public synchronized Instant longestGapAt() {
        return longestGapAt;
    }

    public synchronized long probes() {
        return probes;
    }
}
