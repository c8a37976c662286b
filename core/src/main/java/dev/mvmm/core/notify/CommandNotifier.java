package dev.mvmm.core.notify;

import dev.mvmm.core.exec.CommandResult;
import dev.mvmm.core.exec.ExternalCommand;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.tinylog.Logger;

/**
 * Runs the {@code notify_command} of the VM concerned (without a shell), describing the event in
 * {@code MVMM_EVENT}, {@code MVMM_VM}, {@code MVMM_SEVERITY} and {@code MVMM_MESSAGE}.
 */
public final class CommandNotifier implements Notifier {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Function<String, List<String>> commandOf;
    private final Duration timeout;

    /** @param commandOf the command configured for a VM, or {@code null} for none */
    public CommandNotifier(Function<String, List<String>> commandOf) {
        this(commandOf, TIMEOUT);
    }

    /** @param timeout how long one notification may run before it is killed */
    public CommandNotifier(Function<String, List<String>> commandOf, Duration timeout) {
        this.commandOf = commandOf;
        this.timeout = timeout;
    }

    @Override
    public void notify(Event event) {
        List<String> command = commandOf.apply(event.vm());
        if (command == null || command.isEmpty()) {
            return;
        }
        Map<String, String> environment = Map.of(
                "MVMM_EVENT", event.type(),
                "MVMM_VM", event.vm() == null ? "" : event.vm(),
                "MVMM_SEVERITY", event.level().name().toLowerCase(Locale.ROOT),
                "MVMM_MESSAGE", event.message());
        CommandResult result = ExternalCommand.run(command, environment, timeout);
        if (!result.succeeded()) {
            Logger.tag(event.vm()).warn("notify_command failed: {}", result.summary());
        }
    }
}
