package dev.mvmm.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvmm check} end to end on a real QEMU VM under a real libvirtd: the VM's "service" is a
 * TCP listener on 127.0.0.1 that the test opens and closes; mvmm runs as a separate process, as a
 * timer would start it.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RealVmCheckIT {

    private static final String VM = "mvmm-it-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Path DISK = Path.of("/var/lib/libvirt/images", VM + ".qcow2");

    @TempDir
    Path dir;

    private ServerSocket service;
    private int port;

    @BeforeAll
    static void createVm() {
        TestBed.require();
        TestBed.defineTinyVm(VM, DISK);
    }

    @AfterAll
    static void removeVm() {
        TestBed.removeVm(VM, DISK);
    }

    @BeforeEach
    void setUp() throws IOException {
        if (!TestBed.domState(VM).equals("running")) {
            TestBed.checkedVirsh("start", VM);
        }
        service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        port = service.getLocalPort();
        Files.createDirectories(dir.resolve("conf"));
        Files.write(dir.resolve("conf/mvmm.conf"), List.of("uri=" + TestBed.URI, "fail_threshold=4",
                "wait_interval=2", "recovery_time=0", "connect_timeout=500ms"));
        vmConf();
    }

    @AfterEach
    void tearDown() throws IOException {
        service.close();
    }

    private void vmConf(String... extra) throws IOException {
        List<String> lines = new java.util.ArrayList<>(List.of("ip=127.0.0.1", "portsall=" + port));
        lines.addAll(List.of(extra));
        Files.write(dir.resolve("conf").resolve(VM + ".conf"), lines);
    }

    private String[] common(String command, String... rest) {
        String[] args = new String[rest.length + 3];
        args[0] = command;
        args[1] = "--config-dir=" + dir.resolve("conf");
        args[2] = "--state=" + dir.resolve("state/mvmm.db");
        System.arraycopy(rest, 0, args, 3, rest.length);
        return args;
    }

    private TestBed.Run check() {
        return TestBed.run(TestBed.mvmm(common("check", VM)), 120);
    }

    private static void sleepSeconds(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }

    @Test
    void a_healthy_vm_is_left_alone() {
        String id = TestBed.domId(VM);

        TestBed.Run run = check();

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern(VM + " +running +healthy");
        assertThat(TestBed.domId(VM)).isEqualTo(id);
    }

    @Test
    void a_failing_vm_is_rebooted_only_once_the_threshold_has_passed() throws Exception {
        String id = TestBed.domId(VM);
        service.close();

        TestBed.Run first = check();
        assertThat(first.status()).as(first.toString()).isEqualTo(1);
        assertThat(first.out()).contains("failing for");
        sleepSeconds(1.5);
        TestBed.Run second = check();
        assertThat(second.out()).as(second.toString()).containsPattern("failing for [0-9.]+s? of 4s");
        assertThat(TestBed.domId(VM)).as("not rebooted before the threshold").isEqualTo(id);

        sleepSeconds(2.6);
        TestBed.Run third = check();

        assertThat(third.out()).as(third.toString()).contains("rebooted")
                .contains("no graceful shutdown within 2s; stopped hard; started");
        assertThat(TestBed.domState(VM)).isEqualTo("running");
        assertThat(TestBed.domId(VM)).as("a new run of the VM").isNotEqualTo(id);
        assertThat(third.err()).contains("<3>[" + VM + "]");
    }

    @Test
    void maintenance_prevents_the_reboot() throws Exception {
        String id = TestBed.domId(VM);
        TestBed.Run on = TestBed.run(TestBed.mvmm(common("maintenance", "on", VM)), 60);
        assertThat(on.status()).as(on.toString()).isZero();
        service.close();

        check();
        sleepSeconds(4.5);
        TestBed.Run run = check();

        assertThat(run.out()).as(run.toString()).contains("maintenance: no action");
        assertThat(TestBed.domId(VM)).isEqualTo(id);
    }

    @Test
    void a_vm_on_hold_is_not_rebooted() throws Exception {
        vmConf("max_reboots=0");
        String id = TestBed.domId(VM);
        service.close();

        check();
        sleepSeconds(4.5);
        TestBed.Run run = check();

        assertThat(run.out()).as(run.toString()).containsPattern(VM + " +running +hold +- .*put on hold");
        assertThat(TestBed.domId(VM)).isEqualTo(id);
    }

    @Test
    void a_vm_shut_off_on_purpose_stays_off() throws Exception {
        TestBed.checkedVirsh("destroy", VM);
        service.close();

        TestBed.Run run = check();
        sleepSeconds(4.5);
        check();

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern(VM + " +shut off +skipped");
        assertThat(TestBed.domState(VM)).isEqualTo("shut off");
    }

    @Test
    void a_vm_stopped_by_a_killed_mvmm_is_running_after_the_next_check() throws Exception {
        vmConf("wait_interval=60");
        service.close();
        check();
        sleepSeconds(4.5);
        Process reboot = new ProcessBuilder(TestBed.mvmm(common("check", VM))).redirectErrorStream(true).start();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(reboot.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            do {
                line = output.readLine();
            } while (line != null && !line.contains("asked the guest to shut down"));
            assertThat(line).as("mvmm began the reboot").isNotNull();
            reboot.destroyForcibly();
            assertThat(reboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // The guest obeys the shutdown request after mvmm died: the VM is now off, mid-reboot.
        TestBed.checkedVirsh("destroy", VM);
        assertThat(TestBed.domState(VM)).isEqualTo("shut off");

        TestBed.Run next = check();

        assertThat(next.out()).as(next.toString()).containsPattern(VM + " +running +started +- +finished the reboot");
        assertThat(TestBed.domState(VM)).isEqualTo("running");
    }

    @Test
    void a_vm_that_leaves_this_host_is_not_acted_on_and_keeps_its_history_when_it_returns() throws Exception {
        service.close();
        check();
        String xml = TestBed.checkedVirsh("dumpxml", VM);
        Path saved = dir.resolve("domain.xml");
        Files.writeString(saved, xml);
        TestBed.checkedVirsh("destroy", VM);
        TestBed.checkedVirsh("undefine", VM);
        sleepSeconds(4.5);

        TestBed.Run away = check();
        assertThat(away.status()).as(away.toString()).isZero();
        assertThat(away.out()).containsPattern(VM + " +- +skipped +- +not on this host");

        TestBed.checkedVirsh("define", saved.toString());
        TestBed.checkedVirsh("start", VM);
        String arrived = TestBed.domId(VM);
        TestBed.Run back = check();

        // recovery_time=0 here: the failure clock starts afresh instead of acting on the old failure.
        assertThat(back.out()).as(back.toString()).contains("failing for 0s of 4s");
        assertThat(TestBed.domId(VM)).isEqualTo(arrived);
    }

    @Test
    void stats_shows_the_downtime_of_a_known_outage_within_one_check_interval() throws Exception {
        vmConf("fail_threshold=1h");
        long longestGap = 0;
        long previous = 0;
        long closedAt = 0;
        long openedAt = 0;
        long start = System.nanoTime();
        // Checks for 3 s, the service down for 6 s, then checks for 3 s more; on a loaded machine a
        // check can take seconds, so the phases end by time and by at least one check in each.
        int checksAfter = 0;
        while (System.nanoTime() - start < 12_000_000_000L || openedAt == 0 || checksAfter < 2) {
            long now = System.nanoTime();
            if (previous != 0) {
                longestGap = Math.max(longestGap, now - previous);
            }
            previous = now;
            long elapsed = now - start;
            if (openedAt != 0) {
                checksAfter++;
            }
            if (closedAt == 0 && elapsed > 3_000_000_000L) {
                service.close();
                closedAt = System.nanoTime();
            } else if (closedAt != 0 && openedAt == 0 && now - closedAt > 6_000_000_000L) {
                service = new ServerSocket();
                service.setReuseAddress(true);
                service.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                openedAt = System.nanoTime();
            }
            check();
        }
        double span = (openedAt - closedAt) / 1e9;

        TestBed.Run stats = TestBed.run(TestBed.mvmm(common("stats", "--json", "--since", "1h", VM)), 60);

        assertThat(stats.status()).as(stats.toString()).isZero();
        com.fasterxml.jackson.databind.JsonNode vm = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(stats.out()).get("vms").get(0);
        double down = vm.get("seconds").get("down").asDouble();
        double interval = longestGap / 1e9;
        assertThat(down).as("downtime %.2fs vs outage %.2fs, check interval %.2fs", down, span, interval)
                .isBetween(span - interval, span + interval);
        assertThat(vm.get("outages").asInt()).isEqualTo(1);
        assertThat(vm.get("mean_time_to_recovery_seconds").asDouble()).isCloseTo(down, org.assertj.core.data.Offset.offset(0.01));
        assertThat(vm.get("availability_ratio").asDouble()).isLessThan(1.0);
    }
}
