package dev.mvmm.core.health.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak's oracle on made-up histories: it must accept what the rules allow and catch what they forbid. */
class DecisionRulesTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final DecisionRules.Limits LIMITS = new DecisionRules.Limits(Duration.ofSeconds(3),
            Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(24), 2,
            Duration.ofMillis(750), Duration.ofMillis(500), Duration.ofMillis(100));

    private final Timeline service = new Timeline();
    private final List<Span> maintenance = new ArrayList<>();
    private final List<DecisionRules.Reboot> reboots = new ArrayList<>();
    private final List<DecisionRules.Hold> holds = new ArrayList<>();

    private static Instant at(double seconds) {
        return T0.plusMillis(Math.round(seconds * 1000));
    }

    private void closed(double from, double to) {
        service.record(at(from), false);
        service.record(at(to), true);
    }

    private void reboot(double decided) {
        reboots.add(new DecisionRules.Reboot(at(decided), at(decided + 0.05), at(decided + 0.1)));
    }

    private DecisionRules.Judgement judge(double stop) {
        return new DecisionRules(LIMITS, T0, at(stop)).judge(new DecisionRules.Vm("vm", service, maintenance,
                reboots, holds));
    }

    private String unexpected(double stop) {
        DecisionRules.Judgement judgement = judge(stop);
        assertThat(judgement.unexpected()).hasSize(1);
        return judgement.unexpected().get(0).detail();
    }

    @Test
    void accepts_a_reboot_after_the_threshold() {
        closed(10, 13.6);
        reboot(13.5);

        DecisionRules.Judgement judgement = judge(60);

        assertThat(judgement.unexpected()).isEmpty();
        assertThat(judgement.missed()).isEmpty();
    }

    @Test
    void requires_a_reboot_for_each_recovery_time_and_threshold_a_long_outage_lasts() {
        closed(10, 40);
        reboot(13.5);
        reboot(22.5);
        reboot(31.5);

        DecisionRules.Judgement judgement = judge(40);

        assertThat(judgement.missed()).isEmpty();
        assertThat(judgement.requiredReboots()).isEqualTo(3);
        assertThat(judgement.unexpected()).singleElement().extracting(DecisionRules.Finding::detail)
                .asString().startsWith("loop guard");
    }

    @Test
    void a_short_outage_needs_nothing() {
        closed(10, 12);

        assertThat(judge(60).missed()).isEmpty();
    }

    @Test
    void catches_a_reboot_before_the_threshold() {
        closed(10, 20);
        reboot(12);

        assertThat(unexpected(60)).startsWith("no failure for fail_threshold");
    }

    @Test
    void catches_a_reboot_of_a_service_that_answered() {
        reboot(20);

        assertThat(unexpected(60)).isEqualTo("the service was open when it was checked");
    }

    @Test
    void a_flapping_service_does_not_dodge_the_threshold() {
        for (double t = 10; t < 16; t += 0.6) {
            closed(t, t + 0.3);
        }
        reboot(14.5);

        assertThat(judge(60).unexpected()).isEmpty();
    }

    @Test
    void a_sustained_healthy_period_restarts_the_clock() {
        closed(10, 11);
        closed(19, 30);
        reboot(20);

        assertThat(unexpected(60)).contains("healthy for fail_threshold");
    }

    @Test
    void catches_a_reboot_in_maintenance() {
        maintenance.add(new Span(at(5), at(14)));
        closed(10, 30);
        reboot(12);

        assertThat(unexpected(30)).startsWith("in maintenance");
    }

    @Test
    void catches_a_reboot_decided_before_maintenance_but_begun_in_it() {
        maintenance.add(new Span(at(13.4), at(20)));
        closed(10, 30);
        reboots.add(new DecisionRules.Reboot(at(13.5), at(13.6), at(13.7)));

        assertThat(unexpected(30)).startsWith("begun in maintenance");
    }

    @Test
    void catches_a_reboot_sooner_than_the_threshold_after_maintenance() {
        maintenance.add(new Span(at(5), at(14)));
        closed(10, 30);
        reboot(15);

        assertThat(unexpected(30)).contains("a failure seen in maintenance");
    }

    @Test
    void gives_a_full_threshold_after_maintenance_and_requires_the_reboot_then() {
        maintenance.add(new Span(at(5), at(14)));
        closed(10, 25);
        reboot(17.5);

        DecisionRules.Judgement judgement = judge(30);

        assertThat(judgement.unexpected()).isEmpty();
        assertThat(judgement.missed()).isEmpty();
        assertThat(judgement.requiredReboots()).isEqualTo(1);
    }

    @Test
    void catches_a_reboot_inside_the_recovery_time() {
        closed(10, 40);
        reboot(13.5);
        reboot(17);

        assertThat(unexpected(30)).contains("recovery_time after the reboot");
    }

    @Test
    void a_healthy_probe_ends_the_recovery_time_early() {
        closed(10, 13.6);
        closed(14.5, 30);
        reboot(13.5);
        reboot(17.7);

        assertThat(judge(30).unexpected()).isEmpty();
    }

    @Test
    void catches_a_reboot_beyond_the_loop_guard_and_accepts_the_hold_instead() {
        closed(10, 60);
        reboot(13.5);
        reboot(22.5);
        holds.add(new DecisionRules.Hold(at(31.5), null));

        assertThat(judge(60).unexpected()).isEmpty();
        assertThat(judge(60).missed()).isEmpty();

        holds.clear();
        reboot(31.5);
        assertThat(unexpected(60)).startsWith("loop guard: 2 reboots");
    }

    @Test
    void catches_a_hold_the_loop_guard_gives_no_reason_for() {
        closed(10, 20);
        holds.add(new DecisionRules.Hold(at(13.5), null));

        assertThat(unexpected(20)).startsWith("only 0 reboots");
    }

    @Test
    void catches_a_missed_reboot() {
        closed(10, 20);

        assertThat(judge(60).missed()).singleElement().extracting(DecisionRules.Finding::rule).isEqualTo("missed");
    }

    @Test
    void catches_a_missed_reboot_after_the_recovery_time() {
        closed(10, 40);
        reboot(13.5);

        assertThat(judge(40).missed()).extracting(DecisionRules.Finding::at).first().isEqualTo(at(18.7));
    }

    @Test
    void catches_a_hold_never_released_and_one_released_too_soon() {
        closed(10, 35);
        reboot(13.5);
        reboot(22.5);
        holds.add(new DecisionRules.Hold(at(31.5), null));

        assertThat(judge(70).missed()).singleElement().extracting(DecisionRules.Finding::rule)
                .isEqualTo("hold not released");

        holds.set(0, new DecisionRules.Hold(at(31.5), at(45)));
        assertThat(unexpected(70)).isEqualTo("sooner than reboot_window after the hold");
    }
}
