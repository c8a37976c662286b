package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which subcommand a command line invokes: only that one is built (the rest cost start-up time). */
class MainTest {

    @Test
    void the_first_word_that_is_not_an_option_or_its_value_names_the_subcommand() {
        assertThat(Main.invoked("check")).isEqualTo("check");
        assertThat(Main.invoked("--config-dir", "/etc/x", "-q", "backup", "web")).isEqualTo("backup");
        assertThat(Main.invoked("--state=/tmp/s.db", "maintenance", "on", "check")).isEqualTo("maintenance");
        assertThat(Main.invoked("-c", "check", "stats")).as("a value that looks like a command").isEqualTo("stats");
    }

    @Test
    void help_version_typos_and_nothing_build_the_whole_tree() {
        assertThat(Main.invoked()).isNull();
        assertThat(Main.invoked("--help")).isNull();
        assertThat(Main.invoked("--version")).isNull();
        assertThat(Main.invoked("chek")).isNull();
        assertThat(Main.invoked("--", "check")).isNull();
    }

    @Test
    void a_run_with_one_subcommand_behaves_as_with_the_whole_tree() {
        CliRun usage = CliRun.of("check", "--no-such-option");

        assertThat(usage.status()).isEqualTo(64);
        assertThat(usage.err()).contains("Unknown option: '--no-such-option'");
    }
}
