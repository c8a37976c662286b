package dev.mvmm.core.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A TCP service on 127.0.0.1 that tests open and close: the "service" of a VM. */
public final class Listener implements AutoCloseable {

    private final int port;
    private ServerSocket socket;
    private int accepted;

    private Listener(int port) {
        this.port = port;
    }

    /** Opens a listener on a free port. */
    public static Listener open() {
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Listener listener = new Listener(probe.getLocalPort());
            probe.close();
            listener.reopen();
            return listener;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port on 127.0.0.1 that nobody listens on. */
    public static int closedPort() {
        Listener listener = open();
        listener.close();
        return listener.port;
    }

    public int port() {
        return port;
    }

    /** Connections made to this port so far (each is accepted and closed here, so the backlog never fills). */
    public synchronized int connections() {
        try {
            socket.setSoTimeout(50);
            while (true) {
                socket.accept().close();
                accepted++;
            }
        } catch (java.net.SocketTimeoutException e) {
            return accepted;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void reopen() {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            socket = server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
