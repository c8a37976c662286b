package dev.mvmm.core.notify;

/**
 * Something an operator should hear about. {@code type} is one of reboot, reset, failure, hold,
 * action-failed (later capabilities add backup-failure, sync-failure, low-space, ...).
 */
public record Event(String type, String vm, Level level, String message) {

    /** Matches syslog's words, so notification scripts can route on them. */
    public enum Level { INFO, WARNING, CRITICAL }
}
