package dev.mvmm.core.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.store.Availability;
import dev.mvmm.core.store.HealthRepository;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.store.VmHealth;
import dev.mvmm.core.support.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When {@code check} and {@code monitor} compact history ({@link HistoryCompactor#compactIfDue}): at
 * most once a day, whatever the clock does. Real SQLite file; the clock in the test's hand.
 */
class HistoryCompactorTest {

    private static final Duration DETAIL = Duration.ofDays(31);

    @TempDir
    Path dir;

    // 03:00 UTC: with 31 days of detail, everything before 2026-05-01T00:00 is due for folding.
    private final MutableClock clock = MutableClock.at("2026-06-01T03:00:00Z");
    private StateStore store;
    private HealthRepository health;
    private HistoryCompactor compactor;

    @BeforeEach
    void setUp() {
        store = StateStore.open(dir.resolve("mvmm.db"));
        health = new HealthRepository(store);
        compactor = new HistoryCompactor(store);
        health.save(List.of(), List.of(
                transition("2026-04-20T00:00:00Z", Availability.UP),
                transition("2026-05-01T12:00:00Z", Availability.DOWN),
                transition("2026-05-20T00:00:00Z", Availability.UP),
                transition("2026-05-31T12:00:00Z", Availability.DOWN)), List.of());
        VmHealth.Builder web = VmHealth.fresh("web", clock.instant()).toBuilder();
        web.availability = Availability.DOWN;
        web.verdict = "failing";
        health.save(web.build());
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static HealthRepository.Transition transition(String at, Availability availability) {
        return new HealthRepository.Transition("web", Instant.parse(at), availability, null);
    }

    private void compactIfDue() {
        compactor.compactIfDue(clock.instant(), DETAIL);
    }

    /** The times of the transitions still held in detail. */
    private List<String> detail() {
        return health.transitions("web").stream().map(t -> t.at().toString()).toList();
    }

    private LocalDate detailFrom() {
        return new StatsRepository(store).detailFrom();
    }

    @Test
    void the_first_call_folds_what_is_older_than_the_detail_retention() {
        compactIfDue();

        assertThat(detail()).containsExactly("2026-05-01T00:00:00Z", "2026-05-01T12:00:00Z", "2026-05-20T00:00:00Z",
                "2026-05-31T12:00:00Z");
        assertThat(health.transitions("web").get(0).detail()).isEqualTo(HistoryCompactor.CARRIED_OVER);
        assertThat(detailFrom()).isEqualTo(LocalDate.parse("2026-05-01"));
    }

    @Test
    void runs_once_a_day_and_again_the_next_day() {
        compactIfDue();

        // 02:00 the next day: the boundary has moved on to 2026-05-02, but a day has not passed.
        clock.advance(Duration.ofHours(23));
        compactIfDue();
        assertThat(detail()).contains("2026-05-01T12:00:00Z");
        assertThat(detailFrom()).isEqualTo(LocalDate.parse("2026-05-01"));

        clock.advance(Duration.ofHours(1));
        compactIfDue();
        assertThat(detail()).containsExactly("2026-05-02T00:00:00Z", "2026-05-20T00:00:00Z", "2026-05-31T12:00:00Z");
        assertThat(detailFrom()).isEqualTo(LocalDate.parse("2026-05-02"));
    }

    @Test
    void a_clock_set_back_neither_fails_nor_folds_what_is_in_its_future() {
        compactIfDue();
        List<String> kept = detail();

        // Set back twelve days, then a call a day as the clock runs forward again.
        clock.advance(Duration.ofDays(-12));
        for (int day = 0; day < 12; day++) {
            compactIfDue();
            assertThat(detail()).as(clock.instant().toString()).isEqualTo(kept);
            assertThat(detailFrom()).isEqualTo(LocalDate.parse("2026-05-01"));
            clock.advance(Duration.ofDays(1));
        }

        // Back where it was, and a day on: compaction goes on as if the clock had never moved.
        clock.advance(Duration.ofDays(1));
        compactIfDue();
        assertThat(detail()).containsExactly("2026-05-02T00:00:00Z", "2026-05-20T00:00:00Z", "2026-05-31T12:00:00Z");
        assertThat(detailFrom()).isEqualTo(LocalDate.parse("2026-05-02"));
    }

    @Test
    void a_clock_set_a_year_ahead_and_put_right_within_the_day_folds_nothing() {
        compactIfDue();
        List<String> kept = detail();

        clock.advance(Duration.ofDays(365).plusDays(1));
        compactIfDue();
        assertThat(detail()).isEqualTo(kept);
        assertThat(detailFrom()).isEqualTo(LocalDate.parse("2026-05-01"));

        // Put right, a day and an hour after the first compaction: still waits, the clock just moved.
        clock.advance(Duration.ofDays(-365));
        clock.advance(Duration.ofHours(1));
        compactIfDue();
        assertThat(detail()).isEqualTo(kept);

        // A day of steady clock: folding resumes where it would have been.
        clock.advance(Duration.ofDays(1));
        compactIfDue();
        assertThat(detail()).containsExactly("2026-05-03T00:00:00Z", "2026-05-20T00:00:00Z", "2026-05-31T12:00:00Z");
        assertThat(detailFrom()).isEqualTo(LocalDate.parse("2026-05-03"));
    }

    @Test
    void a_host_off_for_weeks_folds_a_day_after_it_is_back() {
        compactIfDue();

        clock.advance(Duration.ofDays(20));
        compactIfDue();
        assertThat(detailFrom()).isEqualTo(LocalDate.parse("2026-05-01"));

        clock.advance(Duration.ofDays(1));
        compactIfDue();
        assertThat(detailFrom()).isEqualTo(LocalDate.parse("2026-05-22"));
        assertThat(detail()).containsExactly("2026-05-22T00:00:00Z", "2026-05-31T12:00:00Z");
    }

    @Test
    void history_folded_while_the_clock_ran_ahead_is_put_right_when_the_clock_is() {
        compactIfDue();
        Instant real = clock.instant();
        Duration ahead = Duration.ofDays(60);

        // The clock jumps 60 days ahead and stays there for two days of checks: the VM recovers
        // (recorded at the wrong time), and a compaction folds up to 31 days before the wrong date,
        // days that have not come yet.
        clock.advance(ahead);
        compactIfDue();
        health.save(List.of(), List.of(transition(clock.instant().plus(Duration.ofHours(1)).toString(),
                Availability.UP)), List.of(new HealthRepository.ActionRecord("web",
                clock.instant().plus(Duration.ofHours(1)), "reboot", "ok", null)));
        clock.advance(Duration.ofDays(2));
        compactIfDue();
        assertThat(detailFrom()).isAfter(LocalDate.parse("2026-06-02"));

        // Put right: two days after the jump, 10:00 real time.
        clock.set(real.plus(Duration.ofDays(2)).plus(Duration.ofHours(7)));
        Instant now = clock.instant();
        compactIfDue();

        LocalDate today = LocalDate.parse("2026-06-03");
        assertThat(detailFrom()).isEqualTo(today);
        assertThat(dailyDays()).allSatisfy(day -> assertThat(day).isBefore(today));
        assertThat(sum("monthly")).as("monthly sums follow the daily totals").isEqualTo(sum("daily"));
        List<HealthRepository.Transition> left = health.transitions("web");
        assertThat(left).allSatisfy(t -> assertThat(t.at()).isBeforeOrEqualTo(now));
        HealthRepository.Transition last = left.get(left.size() - 1);
        assertThat(last.availability()).isEqualTo(Availability.UP);
        assertThat(last.at()).isEqualTo(now);
        assertThat(last.detail()).isEqualTo(HistoryCompactor.RESTATED);

        // A later check under the right clock: stats reads today's detail again, the reboot counted.
        VmHealth.Builder web = health.load("web").orElseThrow().toBuilder();
        web.checkedAt = now.plus(Duration.ofHours(2));
        health.save(web.build());
        clock.advance(Duration.ofHours(2));
        StatsReport report = new Statistics(new StatsRepository(store), health, clock).report(List.of("web"),
                java.util.Set.of("web"), java.util.Map.of(), clock.instant().minus(Duration.ofDays(1)));
        Timeline.Totals totals = report.vms().get(0).totals();
        assertThat(totals.of(Availability.UP)).isEqualTo(Duration.ofHours(2));
        // Yesterday's noon to midnight is the last state before the jump carried on (approximate:
        // its checks were recorded under the wrong dates); today before the correction is unknown.
        assertThat(totals.of(Availability.DOWN)).isEqualTo(Duration.ofHours(12));
        assertThat(totals.unknown()).isEqualTo(Duration.ofHours(10));
        assertThat(report.vms().get(0).actions()).containsEntry("reboot", 1);
    }

    private long sum(String table) {
        return store.read("sum", connection -> {
            try (var query = connection.prepareStatement("SELECT sum(up_ms + down_ms + maintenance_ms + stopped_ms"
                    + " + absent_ms + unmonitored_ms + outages) FROM " + table); var rows = query.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0;
            }
        });
    }

    private List<LocalDate> dailyDays() {
        return store.read("days", connection -> {
            List<LocalDate> days = new java.util.ArrayList<>();
            try (var query = connection.prepareStatement("SELECT day FROM daily WHERE vm = 'web'");
                    var rows = query.executeQuery()) {
                while (rows.next()) {
                    days.add(LocalDate.ofEpochDay(rows.getLong(1)));
                }
            }
            return days;
        });
    }
}
