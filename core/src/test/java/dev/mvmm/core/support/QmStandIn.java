package dev.mvmm.core.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.host.proxmox.ProxmoxHypervisor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Proxmox node for tests: the stand-in {@code qm} (src/test/resources/qm-standin, which follows
 * qemu-server's real output and exit codes) with its state in a temporary root, and a {@code qm}
 * wrapper in {@code root/bin} that points the stand-in at that root.
 */
public final class QmStandIn implements AutoCloseable {

    private final Path root;
    private final Path qm;

    public QmStandIn(Path root, boolean guestsObeyShutdown) {
        this.root = root;
        Path standIn = Path.of("src/test/resources/qm-standin/qm").toAbsolutePath();
        if (!Files.exists(standIn)) {
            standIn = Path.of("../core/src/test/resources/qm-standin/qm").toAbsolutePath();
        }
        try {
            Files.createDirectories(root.resolve("bin"));
            qm = root.resolve("bin/qm");
            Files.writeString(qm, "#!/bin/sh\nexport QM_STANDIN_ROOT='" + root + "'\nexport QM_STANDIN_NODE=node1\n"
                    + (guestsObeyShutdown ? "export QM_STANDIN_OBEY_SHUTDOWN=1\n" : "")
                    + "exec bash '" + standIn + "' \"$@\"\n");
            qm.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** The directory holding the {@code qm} wrapper, to put first on a process's PATH. */
    public Path bin() {
        return qm.getParent();
    }

    public ProxmoxHypervisor hypervisor() {
        return new ProxmoxHypervisor(root, List.of(qm.toString()));
    }

    /** Runs the stand-in; returns stdout, failing the test on a non-zero exit. */
    public String qm(String... args) {
        List<String> command = new ArrayList<>(List.of(qm.toString()));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(root, "qm", ".out");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("qm " + String.join(" ", args)).isZero();
            String output = Files.readString(out, StandardCharsets.UTF_8);
            Files.delete(out);
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public QmStandIn create(String vmid, String name, String state, String... config) {
        List<String> args = new ArrayList<>(List.of("__standin_create", vmid, name, state));
        args.addAll(List.of(config));
        qm(args.toArray(String[]::new));
        return this;
    }

    /**
     * Holds the VM's qm lock ({@code var/lock/qemu-server/lock-<vmid>.conf}, flock'ed) until closed,
     * as another qm task does while it runs: an operator's {@code qm shutdown}, a migration.
     */
    public AutoCloseable holdLock(String vmid) {
        Path lock = root.resolve("var/lock/qemu-server/lock-" + vmid + ".conf");
        try {
            Process holder = new ProcessBuilder("bash", "-c", "exec 9>>\"$0\" && flock 9 && echo locked && exec sleep 600",
                    lock.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertThat(first).as("flock on " + lock).isEqualTo("locked");
            return () -> {
                holder.destroy();
                holder.waitFor(10, TimeUnit.SECONDS);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What mvmm asked of qm, one call per line. */
    public List<String> log() {
        try {
            Path log = root.resolve("qm.log");
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String pid(String vmid) {
        try {
            return Files.readString(root.resolve("run/qemu-server/" + vmid + ".pid")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        qm("__standin_cleanup");
    }
}
