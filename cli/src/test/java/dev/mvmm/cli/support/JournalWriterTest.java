package dev.mvmm.cli.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.runtime.RuntimeProvider;

/** The lines journald reads: a syslog priority prefix, the VM's tag, the message. */
class JournalWriterTest {

    private static LogEntry entry(Level level, String tag, String message, Throwable exception) {
        return new LogEntry(RuntimeProvider.createTimestamp(), Thread.currentThread(), Map.of(), null, null, null, -1,
                tag, level, message, exception);
    }

    /** What a writer made with {@code properties} prints on stderr while {@code use} writes to it. */
    private static String written(Map<String, String> properties, Consumer<JournalWriter> use) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JournalWriter writer = new JournalWriter(properties);
            use.accept(writer);
            writer.close();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void each_level_carries_its_journald_priority_and_the_vm_tag() {
        String log = written(Map.of(), writer -> {
            writer.write(entry(Level.ERROR, "web", "rebooted: port 80 refused", null));
            writer.write(entry(Level.WARN, "db", "failing: port 5432 refused", null));
            writer.write(entry(Level.INFO, null, "monitor started", null));
            writer.write(entry(Level.DEBUG, "web", "healthy: all ports answer", null));
            writer.write(entry(Level.TRACE, "", "details", null));
        });

        assertThat(log.lines()).containsExactly("<3>[web] rebooted: port 80 refused",
                "<4>[db] failing: port 5432 refused", "<6>monitor started", "<7>[web] healthy: all ports answer",
                "<7>details");
    }

    @Test
    void an_exception_adds_its_message_and_only_debug_adds_its_stack_trace() {
        IllegalStateException cause = new IllegalStateException("disk full");

        String quiet = written(Map.of(), writer -> writer.write(entry(Level.ERROR, "web", "action failed", cause)));
        String traced = written(Map.of("traces", "true"),
                writer -> writer.write(entry(Level.ERROR, "web", "action failed", cause)));

        assertThat(quiet).isEqualTo("<3>[web] action failed: disk full" + System.lineSeparator());
        assertThat(traced).startsWith("<3>[web] action failed: disk full" + System.lineSeparator())
                .contains("java.lang.IllegalStateException: disk full").contains("\tat ");
    }

    @Test
    void on_a_terminal_the_priority_is_a_word() {
        String log = written(Map.of("terminal", "true"), writer -> {
            writer.write(entry(Level.ERROR, "web", "on hold", null));
            writer.write(entry(Level.INFO, null, "started", null));
        });

        assertThat(log.lines()).containsExactly("mvmm: error: [web] on hold", "mvmm: info: started");
    }
}
