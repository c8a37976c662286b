package dev.mvmm.core.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandNotifierTest {

    @TempDir
    Path dir;

    @Test
    void runs_the_vms_command_with_the_event_in_its_environment() throws IOException {
        Path script = dir.resolve("notify");
        Path out = dir.resolve("out");
        Files.writeString(script, "#!/bin/sh\nprintf '%s|%s|%s|%s|%s\\n' \"$1\" \"$MVMM_EVENT\" \"$MVMM_VM\" "
                + "\"$MVMM_SEVERITY\" \"$MVMM_MESSAGE\" > " + out + "\n");
        script.toFile().setExecutable(true);
        CommandNotifier notifier = new CommandNotifier(vm -> List.of(script.toString(), "arg with 'quotes'; $x"));

        notifier.notify(new Event("reboot", "web", Event.Level.WARNING, "web: rebooted; it's fine"));

        assertThat(Files.readString(out)).isEqualTo("arg with 'quotes'; $x|reboot|web|warning|web: rebooted; it's fine\n");
    }

    @Test
    void a_failing_or_missing_command_never_throws() {
        new CommandNotifier(vm -> List.of("/nonexistent/notify")).notify(
                new Event("hold", "web", Event.Level.CRITICAL, "held"));
        new CommandNotifier(vm -> List.of("false")).notify(new Event("hold", "web", Event.Level.CRITICAL, "held"));
        new CommandNotifier(vm -> null).notify(new Event("hold", "web", Event.Level.CRITICAL, "held"));
    }

    @Test
    void a_hanging_command_is_killed_after_its_timeout() {
        long start = System.nanoTime();

        new CommandNotifier(vm -> List.of("sleep", "30"), java.time.Duration.ofMillis(500))
                .notify(new Event("hold", "web", Event.Level.CRITICAL, "held"));

        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(10));
    }

    @Test
    void asynchronous_delivery_never_blocks_the_caller() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.List<String> delivered = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        AsyncNotifier notifier = new AsyncNotifier(event -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delivered.add(event.type());
        });
        long start = System.nanoTime();

        notifier.notify(new Event("reboot", "web", Event.Level.WARNING, "1"));
        notifier.notify(new Event("hold", "web", Event.Level.CRITICAL, "2"));

        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(1));
        assertThat(delivered).isEmpty();
        release.countDown();
        notifier.close(java.time.Duration.ofSeconds(5));
        assertThat(delivered).containsExactly("reboot", "hold");
    }
}
