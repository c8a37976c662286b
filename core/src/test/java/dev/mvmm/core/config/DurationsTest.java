package dev.mvmm.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void plain_numbers_are_seconds() {
        assertThat(Durations.parse("30")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void units_and_combinations() {
        assertThat(Durations.parse("1w")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("2h30m")).isEqualTo(Duration.ofMinutes(150));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("1M".toLowerCase())).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void refuses_what_is_not_a_duration() {
        assertThatThrownBy(() -> Durations.parse("1.5h")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.parse("5 m")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("expects a duration");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999d")).hasMessageContaining("too large");
    }

    @Test
    void a_long_repeated_value_is_read_without_exhausting_the_stack() {
        // Found by ConfigFuzzTest: fail_threshold=1h30m1h30m... overflowed the stack of java.util.regex.
        assertThat(Durations.parse("1s".repeat(20_000))).isEqualTo(Duration.ofSeconds(20_000));
        assertThatThrownBy(() -> Durations.parse("1h30m".repeat(20_000) + "x")).hasMessageContaining("is not a duration");
    }

    @Test
    void refuses_more_than_a_hundred_years() {
        assertThat(Durations.parse("36500d")).isEqualTo(Duration.ofDays(36_500));
        assertThatThrownBy(() -> Durations.parse("36501d")).hasMessageContaining("is too large; the longest is 36500d");
        assertThatThrownBy(() -> Durations.parse("99999999999999d")).hasMessageContaining("is too large");
    }

    @Test
    void refuses_digits_of_other_scripts_and_bare_numbers_in_combinations() {
        assertThatThrownBy(() -> Durations.parse("\u0663\u0660")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.parse("1h30")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.parse("1mss")).hasMessageContaining("is not a duration");
    }

    @Test
    void formats_for_people() {
        assertThat(Durations.format(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Durations.format(Duration.ofSeconds(150))).isEqualTo("2m30s");
        assertThat(Durations.format(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(Durations.format(Duration.ofHours(76))).isEqualTo("3d4h");
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }
}
