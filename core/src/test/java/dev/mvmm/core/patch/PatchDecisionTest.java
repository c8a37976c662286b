package dev.mvmm.core.patch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PatchDecisionTest {

    @Test
    void where_the_host_does_not_need_it_nothing_is_added_or_cycled() {
        assertThat(Patch.decide(false, false, true, false)).isEqualTo(new Patch.Decision(false, false));
    }

    @Test
    void a_missing_declaration_is_added_and_a_running_instance_without_it_needs_a_cycle() {
        assertThat(Patch.decide(true, false, false, false)).isEqualTo(new Patch.Decision(true, false));
        assertThat(Patch.decide(true, false, true, false)).isEqualTo(new Patch.Decision(true, true));
    }

    @Test
    void declared_and_running_with_it_needs_nothing_more() {
        assertThat(Patch.decide(true, true, true, true)).isEqualTo(new Patch.Decision(false, false));
        assertThat(Patch.decide(true, true, true, false)).as("declared after the VM started")
                .isEqualTo(new Patch.Decision(false, true));
    }
}
