import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Benchmark helper: opens N listening sockets on 127.0.0.1, prints their ports one per line, then
 * M more ports that were opened and closed again (nothing listens there), then "ready". Until
 * killed, it accepts every connection and closes it at once, as a service answering a probe does
 * (unaccepted connections would fill each port's backlog within minutes of a long run). Run as:
 * java Listeners.java N M
 */
public class Listeners {
    public static void main(String[] args) throws Exception {
        int open = Integer.parseInt(args[0]);
        int closed = Integer.parseInt(args[1]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Selector selector = Selector.open();
        for (int i = 0; i < open; i++) {
            ServerSocketChannel server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(loopback, 0), 200);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println(server.socket().getLocalPort());
        }
        for (int i = 0; i < closed; i++) {
            try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
                System.out.println(socket.getLocalPort());
            }
        }
        System.out.println("ready");
        System.out.flush();
        while (true) {
            selector.select();
            for (SelectionKey key : selector.selectedKeys()) {
                for (SocketChannel client; (client = ((ServerSocketChannel) key.channel()).accept()) != null; ) {
                    client.close();
                }
            }
            selector.selectedKeys().clear();
        }
    }
}
