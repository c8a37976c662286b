import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * Benchmark helper: the least a JVM can do to probe the monitor bench's ports at its rate. One
 * thread and one selector connect to each port every INTERVAL milliseconds (spread over the
 * interval, started in 100 ms slots like the monitor's), finish the connect and close it; no state,
 * no decision, no log. Its CPU is the floor under the monitor's: the kernel's TCP work and the
 * JDK's socket calls. Runs until killed. Run as: java ProbeFloor.java INTERVAL PORT...
 */
public class ProbeFloor {
    public static void main(String[] args) throws Exception {
        long interval = Long.parseLong(args[0]);
        int count = args.length - 1;
        InetSocketAddress[] targets = new InetSocketAddress[count];
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < count; i++) {
            targets[i] = new InetSocketAddress(loopback, Integer.parseInt(args[i + 1]));
        }
        long slot = 100;
        int slots = (int) Math.max(1, interval / slot);
        Selector selector = Selector.open();
        long start = System.nanoTime();
        for (long round = 0; ; round++) {
            int first = (int) (round % slots) * count / slots;
            int last = (int) (round % slots + 1) * count / slots;
            for (int i = first; i < last; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                if (channel.connect(targets[i])) {
                    channel.close();
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT);
                }
            }
            long until = start + (round + 1) * slot * 1_000_000;
            for (long left; (left = until - System.nanoTime()) > 0; ) {
                selector.select(Math.max(1, left / 1_000_000));
                for (Iterator<SelectionKey> ready = selector.selectedKeys().iterator(); ready.hasNext(); ) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    key.cancel();
                    SocketChannel channel = (SocketChannel) key.channel();
                    try {
                        channel.finishConnect();
                    } catch (java.io.IOException refused) {
                        // A closed port: as much a probe as an open one.
                    }
                    channel.close();
                }
            }
        }
    }
}
