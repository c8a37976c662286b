package dev.mvmm.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.Sleeper;
import dev.mvmm.core.config.ConfigLoader;
import dev.mvmm.core.health.soak.DecisionRules;
import dev.mvmm.core.health.soak.Plan;
import dev.mvmm.core.health.soak.RecordingHypervisor;
import dev.mvmm.core.health.soak.Service;
import dev.mvmm.core.health.soak.Span;
import dev.mvmm.core.health.soak.World;
import dev.mvmm.core.host.VmStatus;
import dev.mvmm.core.host.libvirt.LibvirtHypervisor;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.probe.Prober;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.MaintenanceRepository;
import dev.mvmm.core.store.StateStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor soak (issue 11, item 3): the real {@link Monitor} over a few hundred VMs on
 * libvirt's test driver, each VM's service a real listener on 127.0.0.1 opening and closing on a
 * seeded script ({@link Plan}). Afterwards every reboot and hold it took is checked against the
 * decision rules ({@link DecisionRules}) and against what the hypervisor was asked to do: zero
 * unexpected, zero missed.
 *
 * <p>CI runs it for 75 s. A manual soak of an hour:
 * {@code mvn -B -ntp -o verify -pl core -DskipITs -Dtest=MonitorSoakTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dmvmm.soak.seconds=3600}; also {@code -Dmvmm.soak.seed=N} (the script to play; printed) and
 * {@code -Dmvmm.soak.vms=N}. The monitor's log goes to {@code core/target/monitor-soak.log} when
 * the soak runs alone.
 */
class MonitorSoakTest {

    private static final Duration THRESHOLD = Duration.ofSeconds(3);
    private static final Duration RECOVERY = Duration.ofSeconds(5);
    private static final Duration REBOOT_WINDOW = Duration.ofSeconds(24);
    private static final int MAX_REBOOTS = 2;
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    /** Checks of a VM further apart than this break the schedule ({@code check_interval}, {@code fail_interval}). */
    private static final Duration LATEST_CHECK = INTERVAL.plusSeconds(1);

    /**
     * The rules' limits. Checks of a VM are judged at most {@code cadence} apart: the longest gap
     * measured between two probes of an open service, and at least a quarter second beyond the
     * interval. The monitor schedules failing VMs as it does healthy ones, so closed services are
     * assumed probed as often (a slower pace there shows as missed decisions).
     */
    private static DecisionRules.Limits limits(Duration longestGap) {
        Duration cadence = longestGap.plusMillis(50);
        if (cadence.compareTo(INTERVAL.plusMillis(250)) < 0) {
            cadence = INTERVAL.plusMillis(250);
        }
        return new DecisionRules.Limits(THRESHOLD, INTERVAL, cadence.minus(INTERVAL), RECOVERY, REBOOT_WINDOW,
                MAX_REBOOTS, Duration.ofMillis(750), Duration.ofMillis(500), Duration.ofMillis(100));
    }

    @TempDir
    Path dir;

    private final Clock clock = Clock.systemUTC();

    @Test
    void every_reboot_and_hold_follows_the_decision_rules_and_none_is_missed() throws Exception {
        long seed = Long.getLong("mvmm.soak.seed", 20261121L);
        Duration run = Duration.ofSeconds(Long.getLong("mvmm.soak.seconds", 75));
        int count = Integer.getInteger("mvmm.soak.vms", 300);
        System.out.printf("monitor soak: seed %d (replay with -Dmvmm.soak.seed=%d), %d VMs, %s%n", seed, seed, count,
                run);
        logToFile();
        Plan plan = new Plan(seed, count, run);
        List<Service> services = new ArrayList<>();
        List<Integer> ports = freePorts(count);
        for (int i = 0; i < count; i++) {
            services.add(new Service(Plan.name(i), ports.get(i), clock));
        }
        configure(ports);
        try {
            services.forEach(Service::open);
            soak(plan, services);
        } finally {
            services.forEach(Service::close);
        }
    }

    private void soak(Plan plan, List<Service> services) throws Exception {
        Duration run = plan.run();
        try (StateStore store = StateStore.open(dir.resolve("mvmm.db"));
                StateStore operatorStore = StateStore.open(dir.resolve("mvmm.db"));
                Prober prober = new Prober()) {
            World world = new World(plan, services, new MaintenanceRepository(operatorStore), clock);
            RecordingHypervisor hypervisor = new RecordingHypervisor(LibvirtHypervisor.connect(URI.create("test://"
                    + writeNode(plan.vms()))), clock, world::restarted);
            HealthServices health = new HealthServices(hypervisor, new HealthRepository(store),
                    new MaintenanceRepository(store), new VmLocks(dir.resolve("locks"), clock),
                    new dev.mvmm.core.power.PowerMarkers(dir.resolve("power")), prober, event -> { },
                    clock, Sleeper.SYSTEM);
            Monitor monitor = new Monitor(health, () -> new ConfigLoader(dir.resolve("conf")).load());
            Instant started = clock.instant();
            Instant stopped;
            try {
                monitor.start();
                Instant play = started.plus(WARM_UP);
                world.play(play, play.plus(run));
                Thread.sleep(WARM_UP.plus(run).toMillis());
            } finally {
                world.close();
                stopped = clock.instant();
                monitor.stop(Duration.ofSeconds(30));
            }
            int checks = monitor.statistics().stream().mapToInt(Monitor.VmStatistics::checks).sum();
            int acted = monitor.statistics().stream().mapToInt(Monitor.VmStatistics::actions).sum();
            Map<String, VmStatus> end = hypervisor.list();
            Report report = judge(plan, world, hypervisor, new HealthRepository(operatorStore), started.plus(
                    Duration.ofSeconds(1)), stopped);
            hypervisor.close();

            report.print(plan, checks, hypervisor.lookups(), world);
            assertThat(report.unexpected).as("decisions that broke a rule").isEmpty();
            assertThat(report.missed).as("decisions missed").isEmpty();
            assertThat(report.inconsistent).as("power calls against the actions table").isEmpty();
            assertThat(report.slowProbes).as("VMs probed " + LATEST_CHECK.toMillis() + " ms apart or more").isEmpty();
            assertThat(acted).as("the monitor's own count of actions").isEqualTo(report.reboots);
            assertThat(end.values()).as("every VM running at the end").allMatch(VmStatus::isRunning);
            assertThat(report.reboots).as("the soak exercised reboots").isPositive();
            assertThat(report.holds).as("the soak exercised the loop guard").isPositive();
        }
    }

    /** The judgement over all VMs, and the figures for the summary. */
    private static final class Report {
        final List<DecisionRules.Finding> unexpected = new ArrayList<>();
        final List<DecisionRules.Finding> missed = new ArrayList<>();
        final List<String> inconsistent = new ArrayList<>();
        final List<String> slowProbes = new ArrayList<>();
        DecisionRules.Limits limits;
        int reboots;
        int requiredReboots;
        int continuousReboots;
        int flappingReboots;
        int holds;
        int requiredHolds;
        int releases;
        int outages;
        int shortOutages;
        int longOutages;
        int changes;
        long probes;
        Duration longestGap = Duration.ZERO;
        String longestGapVm = "";

        void print(Plan plan, int checks, long lookups, World world) {
            Map<Plan.Kind, Integer> kinds = new EnumMap<>(Plan.Kind.class);
            for (int i = 0; i < plan.vms(); i++) {
                kinds.merge(plan.kind(i), 1, Integer::sum);
            }
            System.out.printf("monitor soak summary (seed %d)%n", plan.seed());
            System.out.printf("  VMs:        %d %s%n", plan.vms(), kinds);
            System.out.printf("  checks:     %d by the monitor (%d status look-ups, %d probes answered)%n", checks,
                    lookups, probes);
            System.out.printf("  services:   %d changes; %d outages: %d under fail_threshold, %d over %s (due), "
                    + "%d in between; %d maintenance windows%n", changes, outages, shortOutages, longOutages,
                    limits.due().toMillis() / 1000.0 + "s", outages - shortOutages - longOutages, world.windows());
            System.out.printf("  decisions:  %d due (closed for %ss outside maintenance, recovery and hold): %d met "
                    + "by a reboot, %d by a hold, %d missed%n", requiredReboots + requiredHolds + missed.size(),
                    limits.due().toMillis() / 1000.0, requiredReboots, requiredHolds, missed.size());
            System.out.printf("  reboots:    %d taken: %d due, %d after a continuous outage of fail_threshold that "
                    + "ended sooner (mostly by the reboot), %d after a flapping one; the reboot fixed the outage %d, "
                    + "did not %d, found it over %d%n", reboots, requiredReboots, continuousReboots, flappingReboots,
                    world.rebootsFixing(), world.rebootsNotFixing(), world.rebootsWhileOpen());
            System.out.printf("  loop guard: %d holds (%d due), %d released%n", holds, requiredHolds, releases);
            System.out.printf("  probes:     longest gap %d ms (%s): judged as checks at most %d ms apart%n",
                    longestGap.toMillis(), longestGapVm, limits.cadence().toMillis());
            System.out.printf("  violations: %d unexpected, %d missed, %d inconsistent power calls, %d slow probes%n",
                    unexpected.size(), missed.size(), inconsistent.size(), slowProbes.size());
            for (Object finding : first(unexpected, missed, inconsistent, slowProbes)) {
                System.out.println("    " + finding);
            }
        }

        private static List<Object> first(List<?>... lists) {
            List<Object> all = new ArrayList<>();
            for (List<?> list : lists) {
                all.addAll(list);
            }
            return all.subList(0, Math.min(40, all.size()));
        }
    }

    private static Report judge(Plan plan, World world, RecordingHypervisor hypervisor, HealthRepository repository,
            Instant started, Instant stopped) {
        Report report = new Report();
        for (int i = 0; i < plan.vms(); i++) {
            Service service = world.service(Plan.name(i));
            Duration gap = service.longestGap(stopped);
            if (gap.compareTo(report.longestGap) > 0) {
                report.longestGap = gap;
                report.longestGapVm = service.vm() + " before " + service.longestGapAt();
            }
            if (gap.compareTo(LATEST_CHECK) >= 0) {
                report.slowProbes.add(service.vm() + ": open " + gap.toMillis() + " ms without a probe, before "
                        + service.longestGapAt());
            }
        }
        report.limits = limits(report.longestGap);
        DecisionRules rules = new DecisionRules(report.limits, started, stopped);
        Map<String, List<RecordingHypervisor.Call>> calls = hypervisor.calls().stream()
                .collect(Collectors.groupingBy(RecordingHypervisor.Call::vm));
        for (int i = 0; i < plan.vms(); i++) {
            String vm = Plan.name(i);
            Service service = world.service(vm);
            List<HealthRepository.ActionRecord> rows = repository.actions(vm);
            List<RecordingHypervisor.Call> power = calls.getOrDefault(vm, List.of());
            DecisionRules.Vm record = record(vm, service, world.maintenance(vm), rows, power, report.inconsistent);
            DecisionRules.Judgement judgement = rules.judge(record);
            report.unexpected.addAll(judgement.unexpected());
            report.missed.addAll(judgement.missed());
            report.reboots += record.reboots().size();
            report.requiredReboots += judgement.requiredReboots();
            report.continuousReboots += judgement.continuousReboots();
            report.flappingReboots += judgement.flappingReboots();
            report.holds += record.holds().size();
            report.requiredHolds += judgement.requiredHolds();
            report.releases += (int) record.holds().stream().filter(hold -> hold.released() != null).count();
            List<Span> outages = service.timeline().spans(false, started, stopped);
            report.outages += outages.size();
            report.shortOutages += (int) outages.stream().filter(o -> o.length().compareTo(THRESHOLD) < 0).count();
            report.longOutages += (int) outages.stream().filter(o -> o.length().compareTo(report.limits.due()) >= 0)
                    .count();
            report.changes += service.timeline().changes();
            report.probes += service.probes();
        }
        return report;
    }

    /**
     * The VM's decisions from the actions table, each reboot matched with the power calls it made
     * (shutdown after the decision, perhaps destroy, then start); anything else is inconsistent.
     */
    private static DecisionRules.Vm record(String vm, Service service, List<Span> maintenance,
            List<HealthRepository.ActionRecord> rows, List<RecordingHypervisor.Call> power, List<String> inconsistent) {
        List<DecisionRules.Reboot> reboots = new ArrayList<>();
        List<DecisionRules.Hold> holds = new ArrayList<>();
        Instant held = null;
        int call = 0;
        for (HealthRepository.ActionRecord row : rows) {
            switch (row.action()) {
                case "reboot":
                    if (!"ok".equals(row.result())) {
                        inconsistent.add(vm + ": reboot at " + row.at() + " " + row.result() + ": " + row.detail());
                    }
                    Instant shutdown = null;
                    if (call < power.size() && power.get(call).what().equals("shutdown")
                            && !power.get(call).began().isBefore(row.at())) {
                        shutdown = power.get(call++).began();
                    } else {
                        inconsistent.add(vm + ": reboot at " + row.at() + " without its shutdown call");
                    }
                    if (call < power.size() && power.get(call).what().equals("destroy")) {
                        call++;
                    }
                    Instant restarted = null;
                    if (call < power.size() && power.get(call).what().equals("start") && power.get(call).ok()) {
                        restarted = power.get(call++).ended();
                    } else {
                        inconsistent.add(vm + ": reboot at " + row.at() + " without its start call");
                    }
                    reboots.add(new DecisionRules.Reboot(row.at(), shutdown, restarted));
                    break;
                case "hold":
                    if (held != null) {
                        inconsistent.add(vm + ": hold at " + row.at() + " while on hold since " + held);
                    }
                    held = row.at();
                    break;
                case "hold-released":
                    if (held == null) {
                        inconsistent.add(vm + ": hold released at " + row.at() + " without a hold");
                    } else {
                        holds.add(new DecisionRules.Hold(held, row.at()));
                    }
                    held = null;
                    break;
                default:
                    inconsistent.add(vm + ": unexpected action " + row.action() + " at " + row.at());
            }
        }
        if (held != null) {
            holds.add(new DecisionRules.Hold(held, null));
        }
        for (RecordingHypervisor.Call extra : power.subList(Math.min(call, power.size()), power.size())) {
            inconsistent.add(vm + ": " + extra.what() + " at " + extra.began() + " not in the actions table");
        }
        return new DecisionRules.Vm(vm, service.timeline(), maintenance, reboots, holds);
    }

    private void configure(List<Integer> ports) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.write(conf.resolve("mvmm.conf"), List.of("check_interval=1s", "fail_interval=1s",
                "fail_threshold=" + THRESHOLD.toSeconds() + "s", "wait_interval=1s",
                "recovery_time=" + RECOVERY.toSeconds() + "s", "max_reboots=" + MAX_REBOOTS,
                "reboot_window=" + REBOOT_WINDOW.toSeconds() + "s", "connect_timeout=500ms", "log_interval=1h"));
        for (int i = 0; i < ports.size(); i++) {
            Files.write(conf.resolve(Plan.name(i) + ".conf"), List.of("ip=127.0.0.1", "portsall=" + ports.get(i)));
        }
    }

    /** A test-driver host of {@code count} running domains, as scripts/bench/lib.sh make_host writes it. */
    private String writeNode(int count) throws IOException {
        StringBuilder xml = new StringBuilder("<node>\n");
        for (int i = 0; i < count; i++) {
            xml.append("<domain type='test'><name>").append(Plan.name(i))
                    .append("</name><memory>65536</memory><os><type>hvm</type></os></domain>\n");
        }
        Path node = dir.resolve("node.xml");
        Files.writeString(node, xml.append("</node>\n"));
        return node.toAbsolutePath().toString();
    }

    /**
     * Free ports below the ephemeral range (32768 up), so no outgoing connection of the probes takes
     * one while its service is closed; the start varies by process, so parallel runs rarely meet.
     */
    private static List<Integer> freePorts(int count) {
        List<Integer> ports = new ArrayList<>();
        int offset = (int) (ProcessHandle.current().pid() * 7919 % 20_000);
        for (int i = 0; ports.size() < count && i < 22_000; i++) {
            int port = 10_000 + (offset + i) % 22_000;
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                ports.add(port);
            } catch (IOException e) {
                // Taken: try the next.
            }
        }
        assertThat(ports).as("free ports on 127.0.0.1").hasSize(count);
        return ports;
    }

    /** The monitor's log goes to target/monitor-soak.log, unless another test has set logging up already. */
    private static void logToFile() {
        if (!org.tinylog.configuration.Configuration.isFrozen()) {
            org.tinylog.configuration.Configuration.set("writer", "file");
            org.tinylog.configuration.Configuration.set("writer.file", "target/monitor-soak.log");
            org.tinylog.configuration.Configuration.set("writer.level", "info");
            org.tinylog.configuration.Configuration.set("writer.format", "{date:HH:mm:ss.SSS} {tag}: {level} {message}");
        }
    }
}
