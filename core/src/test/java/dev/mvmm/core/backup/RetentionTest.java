package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetentionTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    private static Retention.Policy policy(Integer last, Integer daily, Integer weekly, Integer monthly,
            Integer yearly) {
        return new Retention.Policy(last, daily, weekly, monthly, yearly);
    }

    private static List<Retention.Item> daily(int days) {
        List<Retention.Item> items = new ArrayList<>();
        for (int i = 0; i < days; i++) {
            Instant at = NOW.minus(Duration.ofDays(i));
            items.add(new Retention.Item("web." + i, at));
        }
        return items;
    }

    @Test
    void without_options_max_chains_keeps_the_newest_n_or_all_or_none() {
        List<Retention.Item> items = daily(5);
        Retention.Policy none = policy(null, null, null, null, null);

        assertThat(Retention.keep(items, none, null, ZoneOffset.UTC)).hasSize(5);
        assertThat(Retention.keep(items, none, 2, ZoneOffset.UTC)).containsExactly("web.0", "web.1");
        assertThat(Retention.keep(items, none, 0, ZoneOffset.UTC)).isEmpty();
    }

    @Test
    void keep_last_and_daily_do_not_count_the_same_chain_twice() {
        // Two chains a day for ten days.
        List<Retention.Item> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            items.add(new Retention.Item("d" + i + "-evening", NOW.minus(Duration.ofDays(i)).plusSeconds(3600)));
            items.add(new Retention.Item("d" + i + "-morning", NOW.minus(Duration.ofDays(i)).minusSeconds(3 * 3600)));
        }

        Set<String> kept = Retention.keep(items, policy(2, 3, null, null, null), null, ZoneOffset.UTC);

        // keep-last takes both of day 0; day 0 is then used up, so keep-daily takes days 1 to 3.
        assertThat(kept).containsExactly("d0-evening", "d0-morning", "d1-evening", "d2-evening", "d3-evening");
    }

    @Test
    void days_without_chains_do_not_count() {
        List<Retention.Item> items = List.of(new Retention.Item("a", NOW), new Retention.Item("b",
                NOW.minus(Duration.ofDays(5))), new Retention.Item("c", NOW.minus(Duration.ofDays(9))));

        assertThat(Retention.keep(items, policy(null, 3, null, null, null), null, ZoneOffset.UTC))
                .containsExactly("a", "b", "c");
    }

    @Test
    void weekly_monthly_yearly_over_two_years_of_daily_chains() {
        List<Retention.Item> items = daily(730);

        Set<String> kept = Retention.keep(items, policy(3, 7, 4, 6, 2), null, ZoneOffset.UTC);

        // 3 last + 7 daily (days 3..9) + 4 weekly + 6 monthly + 2 yearly, each from older chains.
        assertThat(kept).hasSize(3 + 7 + 4 + 6 + 2);
        assertThat(kept).contains("web.0", "web.1", "web.2", "web.9");
        assertThat(kept).doesNotContain("web.10");
    }

    @Test
    void the_recommended_proxmox_example_keeps_what_its_simulator_keeps() {
        // keep-last=3, keep-daily=13, keep-weekly=8, keep-monthly=11, keep-yearly=9 over a year of
        // daily chains ending on Saturday 2026-11-21.
        Set<String> kept = Retention.keep(daily(365), policy(3, 13, 8, 11, 9), null, ZoneOffset.UTC);

        // last: Nov 19-21; daily: Nov 6-18; weekly: ISO week 45 (Nov 2-8) is used up by the daily
        // ones, so the Sundays Nov 1 back to Sep 13; monthly: Nov, Oct and Sep are used up, so the
        // last days of Aug 2026 back to Nov 2025 (only 10 months exist); yearly: 2026 and 2025 are
        // used up, nothing older exists.
        assertThat(kept).contains("web.0", "web.15", "web.20").doesNotContain("web.16", "web.21");
        assertThat(kept).contains("web." + java.time.temporal.ChronoUnit.DAYS.between(
                java.time.LocalDate.of(2025, 11, 30), java.time.LocalDate.of(2026, 11, 21)));
        assertThat(kept.size()).isEqualTo(3 + 13 + 8 + 10);
    }
}
