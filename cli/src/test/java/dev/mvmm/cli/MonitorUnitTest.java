package dev.mvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mvmm.core.config.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The monitor's systemd unit fits how {@code mvmm monitor} stops: SIGTERM to mvmm alone (a
 * {@code qm} or {@code virsh} it runs mid-reboot must not die with it: the original's bug B10),
 * and systemd waits longer than the default {@code --stop-grace} before killing what is left.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MonitorUnitTest {

    private static final Path UNIT = Path.of("..").toAbsolutePath().normalize()
            .resolve("scripts/systemd/mvmm-monitor.service");

    private static String setting(List<String> lines, String key) {
        return lines.stream().map(String::strip).filter(line -> line.startsWith(key + "="))
                .map(line -> line.substring(key.length() + 1).strip()).reduce((first, last) -> last).orElse(null);
    }

    /** A systemd time span as the unit writes it: {@code 6min}, {@code 330s}, {@code 5min 30s}. */
    private static Duration timespan(String text) {
        Matcher part = Pattern.compile("(\\d+)\\s*(min|m|sec|s|h)?\\s*").matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.lookingAt()) {
            long amount = Long.parseLong(part.group(1));
            String unit = part.group(2) == null ? "s" : part.group(2);
            total = total.plus(unit.startsWith("m") ? Duration.ofMinutes(amount)
                    : unit.equals("h") ? Duration.ofHours(amount) : Duration.ofSeconds(amount));
            end = part.end();
            part.region(end, text.length());
        }
        assertThat(end).as("TimeoutStopSec=" + text + " read to the end").isEqualTo(text.length());
        return total;
    }

    @Test
    void sigterm_goes_to_mvmm_alone_and_systemd_waits_longer_than_the_stop_grace() throws IOException {
        List<String> unit = Files.readAllLines(UNIT);
        String graceDefault = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getSubcommands().get("monitor").getCommandSpec().findOption("--stop-grace").defaultValue();

        assertThat(setting(unit, "KillMode")).isEqualTo("mixed");
        String timeout = setting(unit, "TimeoutStopSec");
        assertThat(timeout).as("TimeoutStopSec= in " + UNIT).isNotNull();
        // After the grace the monitor still waits up to 5 s for its workers and writes its states.
        assertThat(timespan(timeout)).isGreaterThanOrEqualTo(Durations.parse(graceDefault).plusSeconds(30));
    }
}
