package dev.mvmm.cli.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StatsTableTest {

    @Test
    void percentages_are_rounded_half_up_to_three_decimals() {
        assertThat(StatsTable.percent(0, 5)).isEqualTo("0.000%");
        assertThat(StatsTable.percent(5, 5)).isEqualTo("100.000%");
        assertThat(StatsTable.percent(2, 3)).isEqualTo("66.667%");
        assertThat(StatsTable.percent(1, 3)).isEqualTo("33.333%");
        // Exactly half a thousandth of a percent: up.
        assertThat(StatsTable.percent(1, 200_000)).isEqualTo("0.001%");
        assertThat(StatsTable.percent(1, 200_001)).isEqualTo("0.000%");
        assertThat(StatsTable.percent(99_999, 100_000)).isEqualTo("99.999%");
        assertThat(StatsTable.percent(1_999_999, 2_000_000)).isEqualTo("100.000%");
        assertThat(StatsTable.percent(7, 100)).isEqualTo("7.000%");
        assertThat(StatsTable.percent(7, 10_000)).isEqualTo("0.070%");
    }

    @Test
    void percentages_match_exact_decimal_arithmetic_up_to_a_century_of_milliseconds() {
        SplittableRandom random = new SplittableRandom(20261122);
        long century = 100L * 366 * 86_400_000;
        for (int i = 0; i < 200_000; i++) {
            long whole = 1 + random.nextLong(i % 2 == 0 ? 1_000 : century);
            long part = random.nextLong(whole + 1);
            String exact = new BigDecimal(part).multiply(BigDecimal.valueOf(100))
                    .divide(new BigDecimal(whole), 3, RoundingMode.HALF_UP).toPlainString() + "%";
            assertThat(StatsTable.percent(part, whole)).as("%d of %d", part, whole).isEqualTo(exact);
        }
    }
}
