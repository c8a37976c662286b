package dev.mvmm.cli.support;

import org.tinylog.configuration.Configuration;

/** Sets tinylog up once, before the first line is logged. */
public final class Logging {

    private static boolean configured;

    private Logging() {
    }

    public static synchronized void configure(String level, boolean debug) {
        configure(level, debug, false);
    }

    /** @param syslog send the log to syslog through logger(1) instead of stderr (for cron) */
    public static synchronized void configure(String level, boolean debug, boolean syslog) {
        if (configured || Configuration.isFrozen()) {
            return;
        }
        Configuration.set("writer", "journal");
        Configuration.set("writer.level", level);
        Configuration.set("writer.terminal", Boolean.toString(System.console() != null));
        Configuration.set("writer.traces", Boolean.toString(debug));
        Configuration.set("writer.syslog", Boolean.toString(syslog));
        Configuration.set("autoshutdown", "false");
        configured = true;
    }
}
