import dev.mvmm.core.stats.HistoryCompactor;
import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.store.VmHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Benchmark helper: fills a state database with DAYS of history for N VMs named vm0..vmN-1, through
 * mvmm's own repository, then lets the compactor fold what is older than 31 days, as a
 * long-running host would have. Each VM is up, and every 1 to 37 hours (at random, seeded) leaves
 * that state: 7 times in 10 an outage (down for 30 s to 15 min; a reboot recorded for about one in
 * three), twice in maintenance and once stopped on purpose (30 s to an hour each), then is up again.
 * There are no holds and no scheduled maintenance; the figures in BENCHMARKS.md were measured with
 * this data. Run with the mvmm jar on the class path:
 *   java -cp cli/target/mvmm.jar scripts/bench/HistoryGen.java STATE_DB VMS DAYS
 */
public class HistoryGen {
    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int vms = Integer.parseInt(args[1]);
        int days = Integer.parseInt(args[2]);
        Random random = new Random(7);
        Instant now = Instant.now();
        Instant start = now.minus(Duration.ofDays(days));
        long rows = 0;
        try (StateStore store = StateStore.open(file)) {
            HealthRepository health = new HealthRepository(store);
            for (int vm = 0; vm < vms; vm++) {
                String name = "vm" + vm;
                List<HealthRepository.Transition> transitions = new ArrayList<>();
                List<HealthRepository.ActionRecord> actions = new ArrayList<>();
                transitions.add(new HealthRepository.Transition(name, start, Availability.UP, "all ports answer"));
                Instant at = start;
                while (true) {
                    at = at.plus(Duration.ofMinutes(60 + random.nextInt(36 * 60)));
                    if (!at.isBefore(now)) {
                        break;
                    }
                    int kind = random.nextInt(10);
                    Availability away = kind < 7 ? Availability.DOWN : kind < 9 ? Availability.MAINTENANCE
                            : Availability.STOPPED;
                    transitions.add(new HealthRepository.Transition(name, at, away,
                            "port 80 refused; failing for 0s of 30s"));
                    Instant back = at.plus(Duration.ofSeconds(30 + random.nextInt(kind < 7 ? 900 : 3600)));
                    if (away == Availability.DOWN && random.nextInt(3) == 0) {
                        actions.add(new HealthRepository.ActionRecord(name, at.plusSeconds(30), "reboot", "ok",
                                "no graceful shutdown within 60s; stopped hard; started"));
                    }
                    if (back.isBefore(now)) {
                        transitions.add(new HealthRepository.Transition(name, back, Availability.UP,
                                "all ports answer"));
                    }
                    at = back;
                }
                VmHealth.Builder state = VmHealth.fresh(name, now).toBuilder();
                state.availability = Availability.UP;
                state.verdict = "healthy";
                state.runId = Integer.toString(vm);
                health.save(List.of(state.build()), transitions, actions);
                rows += transitions.size() + actions.size();
            }
            System.out.println("rows " + rows);
            System.out.println("folded " + new HistoryCompactor(store).compact(now.minus(Duration.ofDays(31))));
        }
    }
}
