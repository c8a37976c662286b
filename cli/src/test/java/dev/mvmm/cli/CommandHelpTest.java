package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command documents itself: a description, exit statuses, and a --help that exits 0. */
class CommandHelpTest {

    private static List<CommandLine> allCommands(CommandLine command) {
        List<CommandLine> all = new ArrayList<>();
        all.add(command);
        command.getSubcommands().values().forEach(sub -> all.addAll(allCommands(sub)));
        return all;
    }

    @Test
    void every_command_has_a_description_exit_statuses_and_working_help() {
        CommandLine root = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<CommandLine> commands = allCommands(root);

        assertThat(commands).extracting(c -> c.getCommandSpec().qualifiedName()).contains("mvmm", "mvmm check",
                "mvmm monitor", "mvmm stats", "mvmm backup", "mvmm backup list", "mvmm backup verify", "mvmm restore",
                "mvmm maintenance", "mvmm maintenance on", "mvmm maintenance off", "mvmm maintenance status",
                "mvmm maintenance clear");
        for (CommandLine command : commands) {
            String name = command.getCommandSpec().qualifiedName();
            assertThat(command.getCommandSpec().usageMessage().description()).as(name).isNotEmpty();
            assertThat(command.getCommandSpec().usageMessage().exitCodeList()).as(name).isNotEmpty();
            List<String> args = new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
            args.add("--help");
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.status()).as(name).isZero();
            assertThat(run.out()).as(name).contains("Usage: " + name).contains("Exit status:");
        }
    }

    @Test
    void the_root_command_lists_the_subcommands() {
        CliRun run = CliRun.of("--help");

        assertThat(run.out()).contains("check").contains("monitor").contains("maintenance");
    }

    @Test
    void no_subcommand_is_a_usage_error() {
        CliRun run = CliRun.of();

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("Usage: mvmm");
    }

    @Test
    void an_unknown_option_gets_suggestions_and_a_pointer_to_help() {
        CliRun run = CliRun.of("check", "--jsn");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("Unknown option: '--jsn'").contains("--json")
                .contains("See 'mvmm check --help' for more information.");
    }

    @Test
    void an_unknown_subcommand_suggests_the_nearest() {
        CliRun run = CliRun.of("chek");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).contains("check");
    }
}
