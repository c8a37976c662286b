package dev.mvmm.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PortTarget's hand-written equals and hashCode keep a record's meaning: all three parts count. */
class PortTargetTest {

    private static final PortTarget WEB = new PortTarget("10.0.0.5", 443, Duration.ofSeconds(2));

    @Test
    void equal_when_host_port_and_timeout_are() {
        PortTarget same = new PortTarget(new String("10.0.0.5"), 443, Duration.ofMillis(2000));

        assertThat(same).isEqualTo(WEB).hasSameHashCodeAs(WEB);
        assertThat(new LinkedHashSet<>(List.of(WEB, same))).hasSize(1);
    }

    @Test
    void differ_in_any_part() {
        assertThat(new PortTarget("10.0.0.6", 443, Duration.ofSeconds(2))).isNotEqualTo(WEB);
        assertThat(new PortTarget("10.0.0.5", 444, Duration.ofSeconds(2))).isNotEqualTo(WEB);
        assertThat(new PortTarget("10.0.0.5", 443, Duration.ofSeconds(3))).isNotEqualTo(WEB);
        assertThat(WEB).isNotEqualTo(null).isNotEqualTo("10.0.0.5:443");
        assertThat(new LinkedHashSet<>(List.of(WEB, new PortTarget("10.0.0.5", 80, Duration.ofSeconds(2)))))
                .hasSize(2);
    }
}
