package dev.mvmm.core.backup;

import dev.mvmm.core.config.Keys;
import dev.mvmm.core.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The backup keys of one VM, typed. Limits are {@code null} when unset.
 *
 * @param restartIfRequired a running VM may be power-cycled when only that makes its backup possible
 * @param health            the loop guard's settings (max_reboots, reboot_window) for such a power cycle
 */
public record BackupSettings(Path backupPath, Integer maxChains, Retention.Policy keep, Integer maxBackupsPerChain,
        List<String> virtnbdbackupArgs, boolean verify, boolean ignored, boolean autostart, RemoteSettings remote,
        Duration waitTime, boolean restartIfRequired, dev.mvmm.core.health.HealthSettings health) {

    /** Settings under which a backup never power-cycles a VM. */
    public BackupSettings(Path backupPath, Integer maxChains, Retention.Policy keep, Integer maxBackupsPerChain,
            List<String> virtnbdbackupArgs, boolean verify, boolean ignored, boolean autostart, RemoteSettings remote,
            Duration waitTime) {
        this(backupPath, maxChains, keep, maxBackupsPerChain, virtnbdbackupArgs, verify, ignored, autostart, remote,
                waitTime, false, null);
    }

    /** The off-site copy, or null when {@code remote_path} is not set. */
    public record RemoteSettings(String path, List<String> sshOpts, List<String> rsyncArgs, Integer bandwidthLimit,
            boolean checksum, Integer maxChains) {

        public Remote open() {
            return Remote.of(path, sshOpts, rsyncArgs, bandwidthLimit, checksum);
        }
    }

    public static BackupSettings from(Settings settings) {
        return new BackupSettings(settings.get(Keys.BACKUP_PATH), settings.get(Keys.MAX_CHAINS),
                new Retention.Policy(settings.get(Keys.KEEP_LAST), settings.get(Keys.KEEP_DAILY),
                        settings.get(Keys.KEEP_WEEKLY), settings.get(Keys.KEEP_MONTHLY), settings.get(Keys.KEEP_YEARLY)),
                settings.get(Keys.MAX_BACKUPS_PER_CHAIN), settings.get(Keys.VIRTNBDBACKUP_ARGS),
                settings.get(Keys.VERIFY), settings.get(Keys.IGNORED), settings.get(Keys.AUTOSTART),
                settings.get(Keys.REMOTE_PATH) == null ? null : new RemoteSettings(settings.get(Keys.REMOTE_PATH),
                        settings.get(Keys.SSH_OPTS), settings.get(Keys.RSYNC_ARGS), settings.get(Keys.REMOTE_BWLIMIT),
                        settings.get(Keys.REMOTE_CHECKSUM), settings.get(Keys.REMOTE_MAX_CHAINS)),
                settings.get(Keys.WAIT_TIME) != null ? settings.get(Keys.WAIT_TIME) : settings.get(Keys.WAIT_INTERVAL),
                settings.get(Keys.RESTART_IF_REQUIRED), dev.mvmm.core.health.HealthSettings.from(settings));
    }
}
