package dev.mvmm.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key mvmm knows. Each capability defines its keys here, in its own block, so
 * that validation, "did you mean" and the documentation see one list.
 */
public final class Keys {

    private static final Map<String, Key<?>> ALL = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();
    private static final Map<String, RetiredKey> RETIRED = new LinkedHashMap<>();

    // Host-wide keys.
    public static final Key<URI> URI_KEY = global("uri", ValueType.uri(), URI.create("qemu:///system"),
            "libvirt connection URI");
    public static final Key<String> HYPERVISOR = global("hypervisor", ValueType.oneOf("auto", "libvirt", "proxmox"),
            "auto", "hypervisor backend: auto (Proxmox when /etc/pve and qm exist), libvirt or proxmox");

    public static final Key<Duration> HISTORY_DETAIL = global("history_detail",
            ValueType.duration(Duration.ofDays(2)), Duration.ofDays(31),
            "how long transitions are kept in detail before they are folded into daily totals");

    // Health keys (the original mvmm's, and new ones).
    public static final Key<Boolean> ENABLED = vm("enabled", ValueType.bool(), true,
            "false takes the VM out of mvmm's care");
    public static final Key<String> NAME = vm("name", ValueType.text(), null, "display name used in logs");
    public static final Key<String> IP = vm("ip", ValueType.host(), null, "address probed: IPv4, IPv6 or host name");
    public static final Key<List<Integer>> PORTS_ALL = vm("portsall", ValueType.ports(), List.of(),
            "ports that must all answer", Key.Empty.VALUE);
    public static final Key<List<Integer>> PORTS_ANY = vm("portsany", ValueType.ports(), List.of(),
            "ports of which at least one must answer", Key.Empty.VALUE);
    public static final Key<Duration> CHECK_INTERVAL = vm("check_interval", ValueType.duration(Duration.ofSeconds(1)),
            Duration.ofSeconds(60), "time between checks while healthy (monitor)");
    public static final Key<Duration> FAIL_INTERVAL = vm("fail_interval", ValueType.duration(Duration.ofSeconds(1)),
            Duration.ofSeconds(15), "time between checks while failing (monitor)");
    public static final Key<Duration> FAIL_THRESHOLD = vm("fail_threshold", ValueType.duration(Duration.ZERO),
            Duration.ofSeconds(30), "continuous failure that triggers the action");
    public static final Key<Duration> WAIT_INTERVAL = vm("wait_interval", ValueType.duration(Duration.ofSeconds(1)),
            Duration.ofSeconds(60), "wait for a graceful shutdown before the hard stop");
    public static final Key<Duration> LOG_INTERVAL = vm("log_interval", ValueType.duration(Duration.ofSeconds(1)),
            Duration.ofSeconds(900), "period of 'still running' log lines");
    public static final Key<Duration> RECOVERY_TIME = vm("recovery_time", ValueType.duration(Duration.ZERO),
            Duration.ofSeconds(60), "grace after a (re)start before failures count");
    public static final Key<Duration> CONNECT_TIMEOUT = vm("connect_timeout",
            ValueType.duration(Duration.ofMillis(10)), Duration.ofSeconds(2), "TCP connect timeout of a probe");
    public static final Key<String> ACTION = vm("action", ValueType.oneOf("reboot", "reset", "none"), "reboot",
            "what a failure past the threshold triggers");
    public static final Key<Integer> MAX_REBOOTS = vm("max_reboots", ValueType.count(), 3,
            "actions allowed within reboot_window before the VM is put on hold");
    public static final Key<Duration> REBOOT_WINDOW = vm("reboot_window", ValueType.duration(Duration.ofSeconds(1)),
            Duration.ofHours(1), "window of the loop guard");
    public static final Key<java.time.LocalTime> RESTART_AT = vm("restart_at", ValueType.timeOfDay(), null,
            "daily scheduled restart at HH:MM (local time)");
    public static final Key<Duration> RESTART_AFTER = vm("restart_after", ValueType.duration(Duration.ofMinutes(1)),
            null, "scheduled restart once the VM has run this long");
    public static final Key<List<String>> NOTIFY_COMMAND = vm("notify_command", ValueType.command(), null,
            "command run (without a shell) on events");

    // Backup keys (VM-Babysitter's, renamed to one style).
    public static final Key<java.nio.file.Path> BACKUP_PATH = vm("backup_path", ValueType.directory(), null,
            "directory holding each VM's current chain and its archived chains");
    public static final Key<Integer> MAX_CHAINS = vm("max_chains", ValueType.count(), null,
            "archived chains kept (unset: all; 0: none)", Key.Empty.UNSET);
    public static final Key<Integer> KEEP_LAST = vm("keep_last", ValueType.count(), null,
            "retention: keep the last N archived chains");
    public static final Key<Integer> KEEP_DAILY = vm("keep_daily", ValueType.count(), null,
            "retention: keep the newest archived chain of each of the last N days");
    public static final Key<Integer> KEEP_WEEKLY = vm("keep_weekly", ValueType.count(), null,
            "retention: keep the newest archived chain of each of the last N ISO weeks");
    public static final Key<Integer> KEEP_MONTHLY = vm("keep_monthly", ValueType.count(), null,
            "retention: keep the newest archived chain of each of the last N months");
    public static final Key<Integer> KEEP_YEARLY = vm("keep_yearly", ValueType.count(), null,
            "retention: keep the newest archived chain of each of the last N years");
    public static final Key<Integer> MAX_BACKUPS_PER_CHAIN = vm("max_backups_per_chain", ValueType.count(), null,
            "start a new chain after this many incrementals (unset or 0: never)", Key.Empty.UNSET);
    public static final Key<List<String>> VIRTNBDBACKUP_ARGS = vm("virtnbdbackup_args", ValueType.arguments(),
            List.of(), "extra arguments passed to virtnbdbackup", Key.Empty.VALUE);
    public static final Key<Boolean> VERIFY = vm("verify", ValueType.bool(), false,
            "restore each new backup to scratch space and check it");
    public static final Key<Boolean> IGNORED = vm("ignored", ValueType.bool(), false, "never back this VM up");
    public static final Key<Boolean> AUTOSTART = vm("autostart", ValueType.bool(), false,
            "start the VM after its backup if it was shut off");
    public static final Key<String> REMOTE_PATH = vm("remote_path", ValueType.remote(), null,
            "off-site copy: user@host:/path (rsync over ssh) or an absolute local path (a mounted NAS)");
    public static final Key<Integer> REMOTE_MAX_CHAINS = vm("remote_max_chains", ValueType.count(), null,
            "archived chains kept on the remote (unset: all; 0: none)", Key.Empty.UNSET);
    public static final Key<List<String>> RSYNC_ARGS = vm("rsync_args", ValueType.arguments(), List.of(),
            "extra arguments for rsync", Key.Empty.VALUE);
    public static final Key<List<String>> SSH_OPTS = vm("ssh_opts", ValueType.sshOptions(), List.of(),
            "extra ssh arguments (-i KEY, -p PORT, -o Option=value; an -o overrides mvmm's default for that option)",
            Key.Empty.VALUE);
    public static final Key<Integer> REMOTE_BWLIMIT = vm("remote_bwlimit", ValueType.count(), null,
            "bandwidth limit of the off-site copy, KiB/s");
    public static final Key<Boolean> REMOTE_CHECKSUM = vm("remote_checksum", ValueType.bool(), false,
            "verify the off-site copy by checksums, not only names and sizes");
    public static final Key<Duration> WAIT_TIME = vm("wait_time", ValueType.duration(Duration.ofSeconds(1)), null,
            "wait for a graceful shutdown before a restore, patch or replicate stops the VM hard "
                    + "(default: wait_interval)");
    public static final Key<Boolean> RESTART_IF_REQUIRED = vm("restart_if_required", ValueType.bool(), false,
            "let backup and patch power-cycle a running VM when only that makes incremental backups possible "
                    + "(an older libvirt/QEMU, capability declared but not live)");

    static {
        ALIASES.put("boot_time", RECOVERY_TIME.name());
        RETIRED.put("ram_limit", new RetiredKey(false,
                "is not needed: mvmm starts a shut-off VM paused for its backup, so the guest's memory is never "
                        + "touched; remove the line"));
        RETIRED.put("disabled_log_interval", new RetiredKey(false,
                "is no longer used (disabled VMs are not logged periodically); remove the line"));
    }

    /** A key the original tools read that mvmm no longer does; {@code error} decides how loud. */
    public record RetiredKey(boolean error, String explanation) {
    }

    private Keys() {
    }

    private static <T> Key<T> global(String name, ValueType<T> type, T defaultValue, String description) {
        return register(new Key<>(name, type, defaultValue, Key.Scope.GLOBAL, description, Key.Empty.REFUSED));
    }

    private static <T> Key<T> vm(String name, ValueType<T> type, T defaultValue, String description) {
        return vm(name, type, defaultValue, description, Key.Empty.REFUSED);
    }

    private static <T> Key<T> vm(String name, ValueType<T> type, T defaultValue, String description,
            Key.Empty empty) {
        return register(new Key<>(name, type, defaultValue, Key.Scope.VM, description, empty));
    }

    private static <T> Key<T> register(Key<T> key) {
        ALL.put(key.name(), key);
        return key;
    }

    /** Looks a key up by the name written in a file, following aliases. */
    public static Key<?> find(String name) {
        return ALL.get(ALIASES.getOrDefault(name, name));
    }

    public static RetiredKey retired(String name) {
        return RETIRED.get(name);
    }

    public static Map<String, Key<?>> all() {
        return Collections.unmodifiableMap(ALL);
    }

    public static Map<String, String> aliases() {
        return Collections.unmodifiableMap(ALIASES);
    }
}
