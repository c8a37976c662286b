package dev.mvmm.cli.support;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every subcommand accepts (declared once on the root, inherited by all). */
public final class GlobalOptions {

    @Option(names = "--config-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Configuration directory (default: $MVMM_CONFIG_DIR, else /etc/pve/mvmm on Proxmox, "
                    + "else /etc/mvmm).")
    Path configDir;

    @Option(names = "--state", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "State database (default: $MVMM_STATE, else /var/lib/mvmm/mvmm.db).")
    Path state;

    @Option(names = {"-c", "--connect"}, paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "libvirt URI (default: uri= in mvmm.conf, else qemu:///system).")
    String connect;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Log more (debug level).")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "Log errors only.")
    boolean quiet;

    @Option(names = "--syslog", scope = ScopeType.INHERIT,
            description = "Send the log to syslog (through logger(1), facility daemon) instead of stderr: for cron.")
    boolean syslog;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Log everything and print stack traces of errors.")
    boolean debug;

    public Path configDir() {
        return configDir;
    }

    public Path state() {
        return state;
    }

    public String connect() {
        return connect;
    }

    public boolean syslog() {
        return syslog;
    }

    public boolean debug() {
        return debug;
    }

    /** The tinylog level the options ask for. */
    public String logLevel() {
        if (debug) {
            return "trace";
        }
        if (quiet) {
            return "error";
        }
        return verbose ? "debug" : "info";
    }
}
