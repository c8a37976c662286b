package dev.mvmm.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.support.Listener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProberTest {

    private static final Duration TIMEOUT = Duration.ofMillis(800);

    @Test
    void open_and_refused_ports_on_loopback() {
        try (Listener open = Listener.open()) {
            int closed = Listener.closedPort();
            PortTarget up = new PortTarget("127.0.0.1", open.port(), TIMEOUT);
            PortTarget down = new PortTarget("127.0.0.1", closed, TIMEOUT);

            Map<PortTarget, PortResult> results = new Prober().probe(List.of(up, down));

            assertThat(results.get(up).open()).isTrue();
            assertThat(results.get(up).latency()).isLessThan(TIMEOUT);
            assertThat(results.get(down).open()).isFalse();
            assertThat(results.get(down).failure()).isEqualTo("refused");
        }
    }

    @Test
    void probes_submitted_in_a_batch_start_when_it_ends() throws Exception {
        try (Listener open = Listener.open(); Prober prober = new Prober()) {
            PortTarget up = new PortTarget("127.0.0.1", open.port(), TIMEOUT);
            PortTarget down = new PortTarget("127.0.0.1", Listener.closedPort(), TIMEOUT);
            List<java.util.concurrent.CompletableFuture<Map<PortTarget, PortResult>>> submitted = new ArrayList<>();

            prober.batch(() -> {
                submitted.add(prober.submit(List.of(up)));
                prober.batch(() -> submitted.add(prober.submit(List.of(down))));
                sleep(300);
                assertThat(submitted).as("nothing probed before the batch ends").noneMatch(f -> f.isDone());
            });

            assertThat(submitted.get(0).get(5, java.util.concurrent.TimeUnit.SECONDS).get(up).open()).isTrue();
            assertThat(submitted.get(1).get(5, java.util.concurrent.TimeUnit.SECONDS).get(down).failure())
                    .isEqualTo("refused");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void ipv6_loopback_works() throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            PortTarget target = new PortTarget("::1", server.getLocalPort(), TIMEOUT);

            assertThat(new Prober().probe(List.of(target)).get(target).open()).isTrue();
        }
    }

    @Test
    void a_port_that_never_answers_times_out_after_the_connect_timeout() throws IOException {
        try (HangingPort hanging = HangingPort.open()) {
            PortTarget target = new PortTarget("127.0.0.1", hanging.port(), Duration.ofMillis(300));
            long start = System.nanoTime();

            PortResult result = new Prober().probe(List.of(target)).get(target);

            assertThat(result.open()).isFalse();
            assertThat(result.failure()).isEqualTo("timed out after 300ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        }
    }

    @Test
    void ports_that_never_answer_are_waited_for_together_not_one_after_another() throws IOException {
        Duration timeout = Duration.ofSeconds(1);
        List<HangingPort> hanging = new ArrayList<>();
        try {
            List<PortTarget> targets = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                hanging.add(HangingPort.open());
                targets.add(new PortTarget("127.0.0.1", hanging.get(i).port(), timeout));
            }
            long start = System.nanoTime();

            Map<PortTarget, PortResult> results = new Prober().probe(targets);

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(results.values()).hasSize(5).allSatisfy(result ->
                    assertThat(result.failure()).isEqualTo("timed out after 1s"));
            // One after another would take 5 s; together, about one timeout.
            assertThat(took).isGreaterThanOrEqualTo(timeout.minusMillis(10)).isLessThan(timeout.multipliedBy(2));
        } finally {
            for (HangingPort port : hanging) {
                port.close();
            }
        }
    }

    @Test
    void probes_many_ports_at_once() throws IOException {
        List<ServerSocket> servers = new ArrayList<>();
        try {
            List<PortTarget> targets = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                servers.add(server);
                targets.add(new PortTarget("127.0.0.1", server.getLocalPort(), TIMEOUT));
            }
            for (int i = 0; i < 30; i++) {
                servers.get(i).close();
            }

            Map<PortTarget, PortResult> results = new Prober().probe(targets);

            assertThat(results).hasSize(300);
            assertThat(results.values()).filteredOn(PortResult::open).hasSize(270);
            assertThat(results.values()).filteredOn(r -> !r.open()).allSatisfy(r ->
                    assertThat(r.failure()).isEqualTo("refused"));
        } finally {
            for (ServerSocket server : servers) {
                server.close();
            }
        }
    }

    @Test
    void an_unresolvable_host_name_fails_that_target_only() {
        try (Listener open = Listener.open()) {
            PortTarget bad = new PortTarget("no-such-host.invalid", 80, TIMEOUT);
            PortTarget good = new PortTarget("127.0.0.1", open.port(), TIMEOUT);

            Map<PortTarget, PortResult> results = new Prober().probe(List.of(bad, good));

            assertThat(results.get(bad).open()).isFalse();
            assertThat(results.get(bad).failure()).contains("no-such-host.invalid");
            assertThat(results.get(good).open()).isTrue();
        }
    }

    /** A listener whose accept queue is full drops further SYNs: a connect hangs, as with a firewall. */
    private static final class HangingPort implements AutoCloseable {

        private final ServerSocket server;
        private final List<Socket> fillers = new ArrayList<>();

        private HangingPort(ServerSocket server) {
            this.server = server;
        }

        static HangingPort open() throws IOException {
            HangingPort hanging = new HangingPort(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            for (int i = 0; i < 4; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress("127.0.0.1", hanging.port()), 200);
                } catch (IOException e) {
                    socket.close();
                    break;
                }
                hanging.fillers.add(socket);
            }
            return hanging;
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : fillers) {
                socket.close();
            }
            server.close();
        }
    }
}
