package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvmm monitor} as a background process over two real QEMU VMs: reboot after the
 * threshold, SIGHUP, SIGUSR2, SIGTERM, and a hung probe that must not delay another VM.
 */
class RealVmMonitorIT {

    private static final String A = "mvmm-mon-a-" + UUID.randomUUID().toString().substring(0, 6);
    private static final String B = "mvmm-mon-b-" + UUID.randomUUID().toString().substring(0, 6);
    private static final Path DISK_A = Path.of("/var/lib/libvirt/images", A + ".qcow2");
    private static final Path DISK_B = Path.of("/var/lib/libvirt/images", B + ".qcow2");

    @TempDir
    Path dir;

    private final List<ServerSocket> sockets = new ArrayList<>();
    private Process monitor;
    private Path log;

    @BeforeAll
    static void createVms() {
        TestBed.require();
        TestBed.defineTinyVm(A, DISK_A);
        TestBed.defineTinyVm(B, DISK_B);
    }

    @AfterAll
    static void removeVms() {
        TestBed.removeVm(A, DISK_A);
        TestBed.removeVm(B, DISK_B);
    }

    @BeforeEach
    void setUp() throws IOException {
        for (String vm : List.of(A, B)) {
            if (!TestBed.domState(vm).equals("running")) {
                TestBed.checkedVirsh("start", vm);
            }
        }
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "check_interval=1",
                "fail_interval=1", "fail_threshold=3", "wait_interval=2", "recovery_time=5", "connect_timeout=500ms"));
        log = dir.resolve("monitor.log");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (monitor != null) {
            monitor.destroyForcibly();
        }
        for (ServerSocket socket : sockets) {
            socket.close();
        }
    }

    private ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        sockets.add(socket);
        return socket;
    }

    private void vmConf(String vm, int port, String... extra) throws IOException {
        List<String> lines = new ArrayList<>(List.of("ip=127.0.0.1", "portsall=" + port));
        lines.addAll(List.of(extra));
        Files.write(dir.resolve("conf").resolve(vm + ".conf"), lines);
    }

    private void startMonitor() throws IOException {
        monitor = new ProcessBuilder(TestBed.mvmm("monitor", "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("state/mvmm.db"))).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
    }

    private String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private void awaitLog(String text, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!output().contains(text)) {
            assertThat(System.nanoTime() < deadline).as("waited " + limit + " for '" + text + "' in:\n" + output())
                    .isTrue();
            assertThat(monitor.isAlive()).as("monitor died:\n" + output()).isTrue();
            Thread.sleep(100);
        }
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(monitor.pid())).start();
        assertThat(kill.waitFor()).isZero();
    }

    @Test
    void reboots_after_the_threshold_reloads_toggles_maintenance_and_stops_cleanly() throws Exception {
        ServerSocket serviceA = listen(0);
        int portA = serviceA.getLocalPort();
        vmConf(A, portA);
        String idA = TestBed.domId(A);
        startMonitor();
        awaitLog("[" + A + "] healthy", Duration.ofSeconds(20));

        serviceA.close();
        awaitLog("[" + A + "] rebooted", Duration.ofSeconds(30));
        assertThat(TestBed.domId(A)).as("a new run of " + A).isNotEqualTo(idA);
        assertThat(TestBed.domState(A)).isEqualTo("running");
        listen(portA);

        ServerSocket serviceB = listen(0);
        vmConf(B, serviceB.getLocalPort());
        signal("HUP");
        awaitLog("[" + B + "] now watched", Duration.ofSeconds(10));
        awaitLog("[" + B + "] healthy", Duration.ofSeconds(10));

        String idB = TestBed.domId(B);
        signal("USR2");
        awaitLog("host maintenance on (SIGUSR2)", Duration.ofSeconds(10));
        serviceB.close();
        awaitLog("[" + B + "] failing: port " + serviceB.getLocalPort() + " refused; maintenance: no action",
                Duration.ofSeconds(10));
        Thread.sleep(5000);
        assertThat(TestBed.domId(B)).as("no reboot in maintenance").isEqualTo(idB);

        signal("USR1");
        awaitLog("monitor: 2 VMs watched", Duration.ofSeconds(10));

        long stopAt = System.nanoTime();
        signal("TERM");
        assertThat(monitor.waitFor(15, TimeUnit.SECONDS)).as("stops promptly").isTrue();
        assertThat(monitor.exitValue()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(Duration.ofSeconds(15));
        assertThat(output()).contains("monitor stopped");
    }

    @Test
    void a_hung_probe_on_one_vm_does_not_delay_another_vms_reboot() throws Exception {
        ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(full);
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", full.getLocalPort()), 200);
                fillers.add(socket);
            } catch (IOException e) {
                break;
            }
        }
        vmConf(B, full.getLocalPort(), "connect_timeout=60s");
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort();
        }
        vmConf(A, closed);
        String idA = TestBed.domId(A);
        String idB = TestBed.domId(B);
        long start = System.nanoTime();

        startMonitor();
        awaitLog("[" + A + "] rebooted", Duration.ofSeconds(30));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(TestBed.domId(A)).isNotEqualTo(idA);
        assertThat(TestBed.domId(B)).isEqualTo(idB);
        assertThat(output()).doesNotContain("[" + B + "] failing");
        signal("TERM");
        assertThat(monitor.waitFor(15, TimeUnit.SECONDS)).isTrue();
        for (Socket socket : fillers) {
            socket.close();
        }
    }
}
