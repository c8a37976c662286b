package dev.mvmm.core.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.tinylog.Logger;

/**
 * The one way mvmm runs other programs: an argument list (never a shell string), a time limit,
 * captured output, and the exit status as a value rather than an exception.
 */
public final class ExternalCommand {

    private ExternalCommand() {
    }

    public static CommandResult run(List<String> command, Map<String, String> extraEnvironment, Duration timeout) {
        return run(command, extraEnvironment, timeout, null);
    }

    /**
     * As above; the command's output (both streams) is also passed on to {@code live} as it comes
     * (progress meters shown on a terminal), or not when {@code live} is null.
     */
    public static CommandResult run(List<String> command, Map<String, String> extraEnvironment, Duration timeout,
            java.io.OutputStream live) {
        CommandLine line = new CommandLine(command.get(0));
        for (String argument : command.subList(1, command.size())) {
            line.addArgument(argument, false);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(live == null ? new PumpStreamHandler(out, err)
                : new PumpStreamHandler(new Tee(out, live), new Tee(err, live)));
        executor.setWatchdog(watchdog);
        executor.setExitValues(null);
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(extraEnvironment);
        Logger.debug("running {}", command);
        long started = System.nanoTime();
        int exitCode;
        try {
            exitCode = executor.execute(line, environment);
        } catch (ExecuteException e) {
            exitCode = e.getExitValue();
        } catch (IOException e) {
            return new CommandResult(command, -1, "", "cannot run " + command.get(0) + ": " + e.getMessage(), false);
        }
        Logger.debug("{} exited {} after {} ms", command.get(0), exitCode, (System.nanoTime() - started) / 1_000_000);
        return new CommandResult(command, watchdog.killedProcess() ? -1 : exitCode,
                out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), watchdog.killedProcess());
    }

    /** Writes to the captured output and to a live view. */
    private static final class Tee extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        Tee(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            first.write(bytes, offset, length);
            synchronized (second) {
                second.write(bytes, offset, length);
                second.flush();
            }
        }
    }
}
