package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real test bed: libvirtd with QEMU at qemu:///system, driven with virsh and qemu-img, and the
 * packaged mvmm jar run as a separate process. Started by scripts/testbed. When
 * {@code MVMM_REQUIRE_TESTBED=1} (set by the test script and CI) a missing bed fails the run;
 * otherwise these tests are skipped on machines without it.
 */
final class TestBed {

    static final String URI = "qemu:///system";

    private TestBed() {
    }

    /** What a command printed and how it ended. */
    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static void require() {
        boolean available = run(List.of("virsh", "-c", URI, "version"), 20).status() == 0;
        if ("1".equals(System.getenv("MVMM_REQUIRE_TESTBED"))) {
            assertThat(available).as("libvirtd with QEMU must be running at " + URI + " (run scripts/testbed)")
                    .isTrue();
        }
        Assumptions.assumeTrue(available, "no libvirtd at " + URI + "; run scripts/testbed");
    }

    static Run run(List<String> command, int timeoutSeconds) {
        return run(command, timeoutSeconds, java.util.Map.of());
    }

    /** As above, with environment variables added (a PATH with stand-ins first, for fault injection). */
    static Run run(List<String> command, int timeoutSeconds, java.util.Map<String, String> environment) {
        try {
            Path out = Files.createTempFile("mvmm-it", ".out");
            Path err = Files.createTempFile("mvmm-it", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not finish in " + timeoutSeconds + "s");
            }
            Run run = new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return run;
        } catch (IOException e) {
            return new Run(127, "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * A directory holding a stand-in for {@code program} that runs {@code script} (sh) and is put first
     * on the PATH; returns the PATH value to use.
     */
    static String pathWithStandIn(Path dir, String program, String script) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("stand-ins-" + program));
        Path standIn = bin.resolve(program);
        Files.writeString(standIn, "#!/bin/sh\n" + script + "\n");
        assertThat(standIn.toFile().setExecutable(true)).isTrue();
        return bin + ":" + System.getenv("PATH");
    }

    /** A VM with several qcow2 disks (vda, vdb, ...) and user-mode NICs; it idles in firmware like the tiny one. */
    static void defineVm(String name, List<Path> disks, List<String> macs) {
        String type = Files.exists(Path.of("/dev/kvm")) && kvmUsable() ? "kvm" : "qemu";
        StringBuilder xml = new StringBuilder("<domain type='" + type + "'><name>" + name + "</name><memory unit='MiB'>"
                + "64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>");
        for (int i = 0; i < disks.size(); i++) {
            Run created = run(List.of("qemu-img", "create", "-q", "-f", "qcow2", disks.get(i).toString(), "64M"), 60);
            assertThat(created.status()).as(created.toString()).isZero();
            xml.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                    .append(disks.get(i)).append("'/><target dev='vd").append((char) ('a' + i))
                    .append("' bus='virtio'/></disk>");
        }
        for (String mac : macs) {
            xml.append("<interface type='user'><mac address='").append(mac).append("'/><model type='virtio'/>")
                    .append("</interface>");
        }
        xml.append("</devices></domain>");
        try {
            Path file = Files.createTempFile("mvmm-it", ".xml");
            Files.writeString(file, xml.toString());
            checkedVirsh("define", file.toString());
            Files.delete(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes a qemu-io pattern into a shut-off VM's qcow2 disk: known data to compare restores and copies with. */
    static void writePattern(Path disk, int pattern, String offset, String length) {
        Run run = run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P " + pattern + " " + offset + " " + length,
                disk.toString()), 60);
        assertThat(run.status()).as(run.toString()).isZero();
    }

    /** The guest-visible content of two images is identical (qemu-img compare, shared locks). */
    static void assertSameContent(Path image, Path expected) {
        Run compare = run(List.of("qemu-img", "compare", "-U", image.toString(), expected.toString()), 120);
        assertThat(compare.status()).as(image + " against " + expected + ": " + compare).isZero();
    }

    static Run virsh(String... args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-c", URI));
        command.addAll(List.of(args));
        return run(command, 60);
    }

    static String checkedVirsh(String... args) {
        Run run = virsh(args);
        assertThat(run.status()).as("virsh " + String.join(" ", args) + ": " + run).isZero();
        return run.out().strip();
    }

    /** The packaged launcher's jar, run as a real separate process. */
    static List<String> mvmm(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("mvmm.jar", "target/mvmm.jar")));
        command.addAll(List.of(args));
        return command;
    }

    /** A tiny VM as in TESTBED.md: 64 MiB qcow2 disk, 64 MiB RAM, no OS; it idles in firmware. */
    static void defineTinyVm(String name, Path disk) {
        Run created = run(List.of("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M"), 60);
        assertThat(created.status()).as(created.toString()).isZero();
        String type = Files.exists(Path.of("/dev/kvm")) && kvmUsable() ? "kvm" : "qemu";
        String xml = "<domain type='" + type + "'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + disk
                + "'/><target dev='vda' bus='virtio'/></disk></devices></domain>";
        try {
            Path file = Files.createTempFile("mvmm-it", ".xml");
            Files.writeString(file, xml);
            checkedVirsh("define", file.toString());
            Files.delete(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean kvmUsable() {
        try {
            Path env = Path.of("/run/mvmm-testbed.env");
            return !Files.exists(env) || Files.readString(env).contains("MVMM_TEST_DOMAIN_TYPE=kvm");
        } catch (IOException e) {
            return false;
        }
    }

    static void removeVm(String name, Path disk) {
        undefine(name);
        try {
            Files.deleteIfExists(disk);
        } catch (IOException e) {
            // A disk that cannot be deleted is left in the images directory; nothing else depends on it.
        }
    }

    /**
     * Stops and undefines a test VM with its checkpoint metadata and NVRAM, retrying while libvirt
     * still finishes the stop, so that no test leaves a domain behind on the host.
     */
    static void undefine(String name) {
        virsh("destroy", name);
        for (int attempt = 0; attempt < 10; attempt++) {
            Run run = virsh("undefine", name, "--checkpoints-metadata", "--nvram");
            if (run.status() == 0 || run.err().contains("failed to get domain")) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A chain's files with their sizes, relative and sorted: two chains with the same list hold the same backup. */
    static List<String> files(Path chain) throws IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(chain)) {
            return walk.filter(Files::isRegularFile).map(p -> chain.relativize(p) + " " + p.toFile().length())
                    .sorted().toList();
        }
    }

    /** The names in a directory, sorted. */
    static List<String> entries(Path directory) throws IOException {
        try (java.util.stream.Stream<Path> list = Files.list(directory)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String domId(String name) {
        return checkedVirsh("domid", name);
    }

    static String domState(String name) {
        return checkedVirsh("domstate", name);
    }
}
