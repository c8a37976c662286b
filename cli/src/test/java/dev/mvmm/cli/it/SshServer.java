package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A real sshd on 127.0.0.1 with keys made for the test: the remote of off-site copies. */
final class SshServer implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Process process;

    SshServer(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        for (String key : List.of("host", "client")) {
            TestBed.Run made = TestBed.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    dir.resolve(key).toString()), 30);
            assertThat(made.status()).as(made.toString()).isZero();
        }
        Files.copy(dir.resolve("client.pub"), dir.resolve("authorized_keys"));
        Files.createDirectories(Path.of("/run/sshd"));
        Files.writeString(dir.resolve("sshd_config"), String.join("\n", "ListenAddress 127.0.0.1", "Port " + port,
                "HostKey " + dir.resolve("host"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no", "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no",
                "PidFile " + dir.resolve("sshd.pid"), ""));
        start();
    }

    int port() {
        return port;
    }

    /** ssh_opts for mvmm: the test key, the port, a known_hosts file of the test's own. */
    String sshOpts() {
        return "-i " + dir.resolve("client") + " -p " + port + " -o UserKnownHostsFile=" + dir.resolve("known_hosts");
    }

    void start() throws IOException {
        process = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
