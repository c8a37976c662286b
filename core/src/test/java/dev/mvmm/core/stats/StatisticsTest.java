package dev.mvmm.core.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.store.VmHealth;
import dev.mvmm.core.support.MutableClock;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statistics over a real SQLite file, with the clock in the test's hand. */
class StatisticsTest {

    @TempDir
    java.nio.file.Path dir;

    private final MutableClock clock = MutableClock.at("2026-06-01T00:00:00Z");
    private StateStore store;
    private HealthRepository health;

    @BeforeEach
    void setUp() {
        store = StateStore.open(dir.resolve("mvmm.db"));
        health = new HealthRepository(store);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private void transition(String vm, Instant at, Availability availability) {
        health.save(List.of(), List.of(new HealthRepository.Transition(vm, at, availability, null)), List.of());
    }

    private void checked(String vm, Instant at, Availability availability) {
        VmHealth.Builder state = VmHealth.fresh(vm, at).toBuilder();
        state.availability = availability;
        state.verdict = availability == Availability.UP ? "healthy" : "failing";
        health.save(state.build());
    }

    private static Map<String, List<Timeline.Point>> lists(Map<String, Timeline.Packed> points) {
        Map<String, List<Timeline.Point>> lists = new java.util.HashMap<>();
        points.forEach((vm, packed) -> lists.put(vm, packed.toList()));
        return lists;
    }

    private StatsReport report(Instant since, String... vms) {
        return new Statistics(new StatsRepository(store), health, clock).report(List.of(vms), Set.of("web"),
                Map.of("web", "nginx"), since);
    }

    @Test
    void a_vm_first_seen_mid_window_has_unknown_time_before() {
        Instant now = clock.instant();
        transition("web", now.minus(Duration.ofHours(6)), Availability.UP);
        checked("web", now, Availability.UP);

        VmStats web = report(now.minus(Duration.ofDays(1)), "web").vms().get(0);

        assertThat(web.totals().of(Availability.UP)).isEqualTo(Duration.ofHours(6));
        assertThat(web.totals().unknown()).isEqualTo(Duration.ofHours(18));
        assertThat(web.totals().availabilityRatio()).isEqualTo(1.0);
        assertThat(web.name()).isEqualTo("nginx");
    }

    @Test
    void a_window_reads_each_vms_state_at_its_start_and_every_later_transition_in_recording_order() {
        Instant t = Instant.parse("2026-05-31T00:00:00Z");
        transition("web", t, Availability.UP);
        transition("db", t.plusSeconds(60), Availability.UP);
        transition("web", t.plusSeconds(3600), Availability.DOWN);
        transition("web", t.plusSeconds(7200), Availability.UP);
        // The clock was set back an hour: recorded later, stamped earlier than the transition before.
        transition("web", t.plusSeconds(3700), Availability.MAINTENANCE);
        transition("db", t.plusSeconds(5000), Availability.DOWN);
        health.save(List.of(), List.of(new HealthRepository.Transition("db", t.plusSeconds(9000), Availability.UP,
                HistoryCompactor.CARRIED_OVER)), List.of());

        Map<String, List<Timeline.Point>> points = lists(new StatsRepository(store).points(t.plusSeconds(5400)));

        // web: the last transition recorded at or before the start is the one stamped 3,700 s (recorded
        // after the 7,200 s one), so only it and what followed it count; db: its state at the start and after.
        assertThat(points).containsOnlyKeys("web", "db");
        assertThat(points.get("web")).containsExactly(
                new Timeline.Point(t.plusSeconds(3700), Availability.MAINTENANCE, false));
        assertThat(points.get("db")).containsExactly(
                new Timeline.Point(t.plusSeconds(5000), Availability.DOWN, false),
                new Timeline.Point(t.plusSeconds(9000), Availability.UP, true));
        assertThat(new StatsRepository(store).points(t.minusSeconds(1)).get("web").toList())
                .extracting(Timeline.Point::at)
                .containsExactly(t, t.plusSeconds(3600), t.plusSeconds(7200), t.plusSeconds(3700));
        // Read whole and cut in Java (a window from the start of the detail), the same points.
        for (long second : new long[] {-1, 0, 60, 3600, 3650, 3700, 5400, 7200, 9000, 9001}) {
            assertThat(lists(new StatsRepository(store).points(t.plusSeconds(second), true))).as("from %d s", second)
                    .isEqualTo(lists(new StatsRepository(store).points(t.plusSeconds(second))));
        }
    }

    @Test
    void every_availability_and_the_carried_over_mark_come_back_from_the_database_as_recorded() {
        Instant t = Instant.parse("2026-05-31T00:00:00Z");
        List<Timeline.Point> recorded = new ArrayList<>();
        int i = 0;
        for (Availability availability : Availability.values()) {
            for (boolean carried : new boolean[] {false, true}) {
                Instant at = t.plusMillis(1_000_003L * i++);
                health.save(List.of(), List.of(new HealthRepository.Transition("web", at, availability,
                        carried ? HistoryCompactor.CARRIED_OVER : "probe said so")), List.of());
                recorded.add(new Timeline.Point(at, availability, carried));
            }
        }

        assertThat(new StatsRepository(store).points(t.minusSeconds(1)).get("web").toList())
                .containsExactlyElementsOf(recorded);
    }

    @Test
    void a_transition_with_an_availability_mvmm_does_not_know_is_an_error_naming_the_vm() {
        transition("web", Instant.parse("2026-05-31T00:00:00Z"), Availability.UP);
        store.read("damage", connection -> connection.createStatement()
                .executeUpdate("UPDATE transitions SET availability = 'SIDEWAYS'"));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new StatsRepository(store)
                        .points(Instant.parse("2026-05-30T00:00:00Z")))
                .isInstanceOf(dev.mvmm.core.store.StateException.class)
                .hasMessageContaining("cannot read transitions").hasMessageContaining("VM web");
    }

    @Test
    void a_vm_removed_from_the_configuration_keeps_its_history() {
        Instant now = clock.instant();
        transition("old", now.minus(Duration.ofHours(2)), Availability.DOWN);
        checked("old", now, Availability.DOWN);

        VmStats old = report(now.minus(Duration.ofDays(1)), "old").vms().get(0);

        assertThat(old.configured()).isFalse();
        assertThat(old.totals().of(Availability.DOWN)).isEqualTo(Duration.ofHours(2));
        assertThat(new StatsRepository(store).knownVms()).contains("old");
    }

    @Test
    void a_vm_never_seen_has_no_data() {
        VmStats ghost = report(clock.instant().minus(Duration.ofDays(1)), "ghost").vms().get(0);

        assertThat(ghost.current()).isNull();
        assertThat(ghost.totals().unknown()).isEqualTo(Duration.ofDays(1));
        assertThat(ghost.totals().availabilityRatio()).isNull();
        assertThat(ghost.backup()).isNull();
    }

    @Test
    void actions_and_holds_in_the_window_are_counted() {
        Instant now = clock.instant();
        health.save(List.of(), List.of(), List.of(
                new HealthRepository.ActionRecord("web", now.minus(Duration.ofHours(30)), "reboot", "ok", null),
                new HealthRepository.ActionRecord("web", now.minus(Duration.ofHours(3)), "reboot", "ok", null),
                new HealthRepository.ActionRecord("web", now.minus(Duration.ofHours(2)), "hold", "on", null)));

        VmStats web = report(now.minus(Duration.ofDays(1)), "web").vms().get(0);

        assertThat(web.actions()).containsEntry("reboot", 1).containsEntry("hold", 1);
        assertThat(web.holds()).isEqualTo(1);
        assertThat(web.actionTotals()).containsEntry("reboot", 2L);
    }

    @Test
    void the_last_backup_and_its_chain_come_from_the_backup_tables() throws Exception {
        Instant now = clock.instant();
        store.transaction("seed backups", connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO backups (vm, chain, level,"
                    + " started_at, finished_at, bytes, result) VALUES (?,?,?,?,?,?,?)")) {
                Object[][] rows = {{"web", "c2", "full", 10L, 20L, 1000L, "ok"}, {"web", "c2", "inc", 30L, 40L, 50L, "ok"},
                    {"web", "c2", "inc", 50L, 60L, null, "failed"}, {"web", "c2", "sync", 61L, 62L, null, "ok"},
                    {"web", "c2", "restore", 70L, 80L, null, "ok"}};
                for (Object[] row : rows) {
                    for (int i = 0; i < row.length; i++) {
                        insert.setObject(i + 1, row[i] instanceof Long ? now.minusSeconds(100 - (Long) row[i])
                                .toEpochMilli() : row[i]);
                    }
                    insert.setObject(6, row[5]);
                    insert.executeUpdate();
                }
            }
            try (PreparedStatement chains = connection.prepareStatement(
                    "INSERT INTO chains (vm, chain, created_at, archived_at) VALUES ('web', ?, 0, ?)")) {
                chains.setString(1, "c1");
                chains.setLong(2, 5);
                chains.executeUpdate();
                chains.setString(1, "c2");
                chains.setObject(2, null);
                chains.executeUpdate();
            }
            return null;
        });

        BackupSummary backup = report(now.minus(Duration.ofDays(1)), "web").vms().get(0).backup();

        assertThat(backup.result()).isEqualTo("failed");
        assertThat(backup.level()).isEqualTo("inc");
        assertThat(backup.chainLength()).isEqualTo(2);
        assertThat(backup.archivedChains()).isEqualTo(1);
        assertThat(backup.finishedAt()).isEqualTo(Instant.ofEpochMilli(now.minusSeconds(40).toEpochMilli()));
        assertThat(backup.lastSyncResult()).isEqualTo("ok");
        assertThat(backup.lastRestoreResult()).isEqualTo("ok");
        assertThat(backup.lastRestoreAt()).isEqualTo(Instant.ofEpochMilli(now.minusSeconds(20).toEpochMilli()));
    }

    @Test
    void compaction_keeps_the_figures_of_day_aligned_windows_and_shrinks_the_detail() {
        Random random = new Random(42);
        Instant start = Instant.parse("2026-03-01T00:00:00Z");
        List<Availability> states = List.of(Availability.UP, Availability.DOWN, Availability.MAINTENANCE,
                Availability.UP, Availability.STOPPED, Availability.UP);
        Instant at = start;
        List<HealthRepository.Transition> transitions = new ArrayList<>();
        List<HealthRepository.ActionRecord> actions = new ArrayList<>();
        while (at.isBefore(clock.instant().minus(Duration.ofHours(1)))) {
            transitions.add(new HealthRepository.Transition("web", at, states.get(random.nextInt(states.size())),
                    null));
            if (random.nextInt(4) == 0) {
                actions.add(new HealthRepository.ActionRecord("web", at, "reboot", "ok", null));
            }
            at = at.plus(Duration.ofMinutes(30 + random.nextInt(600)));
        }
        health.save(List.of(), transitions, actions);
        checked("web", clock.instant(), Availability.UP);
        // Windows from a month's first day, from mid-month, from a month's last day: whole months are
        // read from the monthly sums, the days around them from the daily totals.
        List<Instant> windows = List.of(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-10T00:00:00Z"),
                Instant.parse("2026-03-31T00:00:00Z"), Instant.parse("2026-04-01T00:00:00Z"),
                Instant.parse("2026-04-16T00:00:00Z"));
        List<VmStats> before = windows.stream().map(since -> report(since, "web").vms().get(0)).toList();

        // Folded in two steps, as a running host does: April's sums are added to in both.
        int days = new HistoryCompactor(store).compact(Instant.parse("2026-04-15T12:00:00Z"));
        days += new HistoryCompactor(store).compact(clock.instant().minus(Duration.ofDays(31)));

        assertThat(days).isGreaterThan(50);
        assertThat(health.transitions("web").size()).isLessThan(transitions.size() / 2);
        for (int i = 0; i < windows.size(); i++) {
            VmStats after = report(windows.get(i), "web").vms().get(0);
            String window = "since " + windows.get(i) + ": ";
            for (Availability availability : Availability.values()) {
                assertThat(after.totals().of(availability)).as(window + availability.name())
                        .isEqualTo(before.get(i).totals().of(availability));
            }
            assertThat(after.totals().unknown()).as(window + "unknown").isEqualTo(before.get(i).totals().unknown());
            assertThat(after.totals().outages()).as(window + "outages").isEqualTo(before.get(i).totals().outages());
            assertThat(after.totals().recoveries()).as(window + "recoveries")
                    .isEqualTo(before.get(i).totals().recoveries());
            assertThat(after.actions()).as(window + "actions").isEqualTo(before.get(i).actions());
            assertThat(after.actionTotals()).isEqualTo(before.get(i).actionTotals());
        }
        VmStats recent = report(clock.instant().minus(Duration.ofDays(7)), "web").vms().get(0);
        assertThat(recent.totals().unknown()).isZero();
    }

    @Test
    void a_window_starting_mid_day_in_folded_history_counts_only_its_part_of_that_day() {
        Instant start = Instant.parse("2026-03-01T00:00:00Z");
        health.save(List.of(), List.of(new HealthRepository.Transition("web", start, Availability.UP, null),
                new HealthRepository.Transition("late", Instant.parse("2026-03-10T18:00:00Z"), Availability.UP,
                        null)), List.of());
        checked("web", clock.instant(), Availability.UP);
        checked("late", clock.instant(), Availability.UP);
        new HistoryCompactor(store).compact(clock.instant().minus(Duration.ofDays(31)));
        Instant since = Instant.parse("2026-03-10T12:00:00Z");

        StatsReport report = report(since, "web", "late");

        VmStats web = report.vms().get(0);
        assertThat(web.totals().of(Availability.UP)).isEqualTo(Duration.between(since, clock.instant()));
        assertThat(web.totals().unknown()).isZero();
        VmStats late = report.vms().get(1);
        assertThat(late.totals().of(Availability.UP))
                .isEqualTo(Duration.between(Instant.parse("2026-03-10T18:00:00Z"), clock.instant()));
        assertThat(late.totals().unknown()).isEqualTo(Duration.ofHours(6));
    }
}
