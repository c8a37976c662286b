package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mvmm killed (SIGKILL) while it has a running VM stopped — for {@code replicate --shutdown-source}
 * and for an in-place restore — and the tool it was running killed with it: the VM's power marker
 * survives, the next {@code check} starts the VM, says why, and {@code stats} counts the start.
 */
class PowerMarkerIT {

    @TempDir
    Path dir;

    private String vm;
    private Path disk;

    @BeforeAll
    static void bed() {
        TestBed.require();
    }

    @BeforeEach
    void setUp() throws IOException {
        vm = "h11-power-" + UUID.randomUUID().toString().substring(0, 8);
        disk = Path.of("/var/lib/libvirt/images", vm + ".qcow2");
        TestBed.defineTinyVm(vm, disk);
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "backup_path=" + dir.resolve("backups"),
                "wait_time=1s", "recovery_time=1h"));
        // The VM's own file: no ports, so a running VM is healthy and a check acts only on the marker.
        Files.write(dir.resolve("conf/" + vm + ".conf"), List.of("action=none"));
    }

    @AfterEach
    void tearDown() throws IOException {
        TestBed.undefine(vm);
        TestBed.undefine(vm + "-clone");
        try (Stream<Path> images = Files.list(disk.getParent())) {
            for (Path image : images.filter(p -> p.getFileName().toString().startsWith(vm)
                    || p.getFileName().toString().startsWith("." + vm)).toList()) {
                TestBed.run(List.of("rm", "-rf", image.toString()), 30);
            }
        }
    }

    private List<String> command(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--config-dir=" + dir.resolve("conf"));
        all.add(2, "--state=" + dir.resolve("state/mvmm.db"));
        return TestBed.mvmm(all.toArray(String[]::new));
    }

    /** Starts the command held at the gate, kills it and the held tool with SIGKILL there. */
    private void killAtGate(Gate gate, String program, String args, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command(command)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile());
        builder.environment().putAll(gate.holding(program, args));
        Process mvmm = builder.start();
        long tool = gate.awaitHeld(120_000);
        mvmm.destroyForcibly();
        assertThat(mvmm.waitFor(30, TimeUnit.SECONDS)).isTrue();
        ProcessHandle.of(tool).ifPresent(ProcessHandle::destroyForcibly);
    }

    private void assertStartedByCheck(String operation) throws IOException {
        assertThat(TestBed.domState(vm)).as("left shut off by the killed " + operation).isEqualTo("shut off");
        assertThat(dir.resolve("state/power/" + vm + ".json")).exists();

        TestBed.Run check = TestBed.run(command("check", vm), 120);

        assertThat(TestBed.domState(vm)).as(check.toString()).isEqualTo("running");
        assertThat(check.out()).as(check.toString()).containsPattern(vm + " +running +started");
        assertThat(check.out()).contains("the " + operation + " begun at").contains("had stopped it and was cut off");
        assertThat(check.err()).contains("[" + vm + "]").contains("starting it");
        assertThat(dir.resolve("state/power/" + vm + ".json")).doesNotExist();
        TestBed.Run stats = TestBed.run(command("stats", "--json", vm), 60);
        JsonNode actions = new ObjectMapper().readTree(stats.out()).get("vms").get(0);
        assertThat(actions.toString()).as(stats.toString()).contains("\"start\":1");

        TestBed.Run again = TestBed.run(command("check", vm), 120);
        assertThat(again.out()).as("nothing more to do: " + again).containsPattern(vm + " +running +healthy");
    }

    @Test
    void a_source_left_stopped_by_a_killed_replicate_is_started_by_the_next_check() throws Exception {
        TestBed.checkedVirsh("start", vm);

        killAtGate(new Gate(dir, "replicate"), "qemu-img", "convert", "replicate", vm, vm + "-clone",
                "--shutdown-source");

        assertStartedByCheck("replicate --shutdown-source");
        TestBed.Run next = TestBed.run(command("replicate", vm, vm + "-clone", "--shutdown-source"), 300);
        assertThat(next.status()).as(next.toString()).isZero();
        assertThat(next.out()).contains("removed the unfinished clone");
        assertThat(TestBed.domState(vm)).isEqualTo("running");
    }

    @Test
    void a_vm_left_stopped_by_a_killed_in_place_restore_is_started_by_the_next_check() throws Exception {
        TestBed.writePattern(disk, 0xab, "0", "1M");
        TestBed.Run backup = TestBed.run(command("backup", vm), 300);
        assertThat(backup.status()).as(backup.toString()).isZero();
        TestBed.checkedVirsh("start", vm);

        // Held after the stop and the swap, where the restore forgets the VM's checkpoints.
        killAtGate(new Gate(dir, "restore"), "virsh", "checkpoint-list", "restore", vm, "--in-place",
                "--checkpoint", "0", "--yes");

        assertStartedByCheck("restore --in-place");
        TestBed.Run next = TestBed.run(command("restore", vm, "--in-place", "--checkpoint", "0", "--yes"), 300);
        assertThat(next.status()).as(next.toString()).isZero();
        assertThat(TestBed.domState(vm)).isEqualTo("running");
    }
}
