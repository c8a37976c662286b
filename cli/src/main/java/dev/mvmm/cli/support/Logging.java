package dev.mvmm.cli.support;

import org.tinylog.configuration.Configuration;

/** Sets tinylog up once, before the first line is logged. */
public final class Logging {

    private static boolean configured;

    private Logging() {
    }

    public static synchronized void configure(String level, boolean debug) {
        if (configured || Configuration.isFrozen()) {
            return;
        }
        Configuration.set("writer", "journal");
        Configuration.set("writer.level", level);
        Configuration.set("writer.terminal", Boolean.toString(System.console() != null));
        Configuration.set("writer.traces", Boolean.toString(debug));
        Configuration.set("autoshutdown", "false");
        configured = true;
    }
}
