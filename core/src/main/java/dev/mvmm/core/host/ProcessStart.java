package dev.mvmm.core.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * When a local process started, from Linux's {@code /proc}: the QEMU process of a VM is its run,
 * so its start time is the VM's uptime origin, and (pid, start time) identifies the run even if
 * the pid is reused later.
 */
public final class ProcessStart {

    /** Linux reports start times in clock ticks; USER_HZ is 100 on every mainstream architecture. */
    private static final long TICKS_PER_SECOND = 100;

    private ProcessStart() {
    }

    /** The pid written in a pid file, when the file exists and the process lives (a zombie does not). */
    public static Optional<Long> livePid(Path pidFile, Path proc) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).strip());
            String stat = Files.readString(proc.resolve(pid + "/stat"), StandardCharsets.US_ASCII);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X' ? Optional.empty() : Optional.of(pid);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Start time in clock ticks after boot (field 22 of /proc/PID/stat). */
    public static Optional<Long> startTicks(long pid, Path proc) {
        try {
            String stat = Files.readString(proc.resolve(pid + "/stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(fields[19]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The wall-clock start of a process. */
    public static Optional<Instant> startedAt(long pid, Path proc) {
        Optional<Long> ticks = startTicks(pid, proc);
        Optional<Long> boot = bootTime(proc);
        if (ticks.isEmpty() || boot.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(boot.get()).plusMillis(ticks.get() * 1000 / TICKS_PER_SECOND));
    }

    private static Optional<Long> bootTime(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("stat"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("btime ")) {
                    return Optional.of(Long.parseLong(line.substring(6).strip()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
