package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged mvmm on a Proxmox node made of the stand-in qm (core/src/test/resources/qm-standin):
 * the backend chosen by hypervisor=proxmox, a reboot through qm, and a migration between runs.
 */
class ProxmoxCheckIT {

    @TempDir
    Path dir;

    private Path root;
    private Path standIn;
    private ServerSocket service;

    @BeforeEach
    void setUp() throws Exception {
        root = dir.resolve("node");
        Files.createDirectories(root.resolve("bin"));
        standIn = Path.of("../core/src/test/resources/qm-standin/qm").toAbsolutePath().normalize();
        Files.writeString(root.resolve("bin/qm"), "#!/bin/sh\nexport QM_STANDIN_ROOT='" + root
                + "'\nexport QM_STANDIN_NODE=node1\nexec bash '" + standIn + "' \"$@\"\n");
        root.resolve("bin/qm").toFile().setExecutable(true);
        qm("__standin_create", "100", "nginx", "running");
        service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("hypervisor=proxmox", "fail_threshold=2",
                "wait_interval=1", "recovery_time=30", "connect_timeout=500ms"));
        Files.write(dir.resolve("conf/100.conf"), List.of("ip=127.0.0.1", "portsall=" + service.getLocalPort()));
    }

    @AfterEach
    void tearDown() throws Exception {
        service.close();
        qm("__standin_cleanup");
    }

    private TestBed.Run qm(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("bin/qm").toString()));
        command.addAll(List.of(args));
        return TestBed.run(command, 60);
    }

    private TestBed.Run check() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(TestBed.mvmm("check", "--config-dir=" + dir.resolve("conf"),
                "--state=" + dir.resolve("mvmm.db")));
        Map<String, String> environment = builder.environment();
        environment.put("PATH", root.resolve("bin") + ":" + environment.get("PATH"));
        environment.put("MVMM_PROXMOX_ROOT", root.toString());
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new TestBed.Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private List<String> qmLog() throws IOException {
        Path log = root.resolve("qm.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void a_failing_vm_on_this_node_is_rebooted_through_qm() throws Exception {
        TestBed.Run healthy = check();
        assertThat(healthy.status()).as(healthy.toString()).isZero();
        assertThat(healthy.out()).containsPattern("100 \\(nginx\\) +running +healthy");

        service.close();
        check();
        Thread.sleep(2100);
        TestBed.Run rebooted = check();

        assertThat(rebooted.out()).as(rebooted.toString()).containsPattern("100 \\(nginx\\) +running +rebooted");
        assertThat(qmLog()).containsExactly("status 100 --verbose", "shutdown 100 --timeout 1", "stop 100",
                "start 100");
    }

    @Test
    void a_vm_that_migrated_to_another_node_is_not_touched_and_is_picked_up_when_back() throws Exception {
        service.close();
        check();
        qm("__standin_remove", "100");
        Thread.sleep(2100);

        TestBed.Run away = check();
        assertThat(away.status()).as(away.toString()).isZero();
        assertThat(away.out()).contains("not on this host");
        assertThat(qmLog()).isEmpty();

        qm("__standin_create", "100", "nginx", "running");
        TestBed.Run back = check();
        assertThat(back.out()).as(back.toString()).contains("recovering");
        assertThat(qmLog()).isEmpty();
    }
}
