import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark helper: opens N listening sockets on 127.0.0.1, prints their ports one per line, then
 * M more ports that were opened and closed again (nothing listens there), then "ready", and
 * keeps the listeners open until killed. Run as: java Listeners.java N M
 */
public class Listeners {
    public static void main(String[] args) throws Exception {
        int open = Integer.parseInt(args[0]);
        int closed = Integer.parseInt(args[1]);
        List<ServerSocket> sockets = new ArrayList<>();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < open; i++) {
            ServerSocket socket = new ServerSocket(0, 200, loopback);
            sockets.add(socket);
            System.out.println(socket.getLocalPort());
        }
        for (int i = 0; i < closed; i++) {
            try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
                System.out.println(socket.getLocalPort());
            }
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
