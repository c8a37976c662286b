package dev.mvmm.core.health;

import dev.mvmm.core.config.Keys;
import dev.mvmm.core.config.Settings;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;

/** The health keys of one VM, typed. */
public record HealthSettings(String host, List<Integer> portsAll, List<Integer> portsAny, Duration connectTimeout,
        Duration failThreshold, Duration waitInterval, Duration recoveryTime, String action, int maxReboots,
        Duration rebootWindow, Schedule schedule) {

    /** Scheduled restarts and the check cadence they are judged against; any part may be {@code null}. */
    public record Schedule(LocalTime restartAt, Duration restartAfter, Duration checkInterval) {

        public static final Schedule NONE = new Schedule(null, null, Duration.ofMinutes(1));
    }

    public static HealthSettings from(Settings settings) {
        return new HealthSettings(settings.get(Keys.IP), settings.get(Keys.PORTS_ALL), settings.get(Keys.PORTS_ANY),
                settings.get(Keys.CONNECT_TIMEOUT), settings.get(Keys.FAIL_THRESHOLD),
                settings.get(Keys.WAIT_INTERVAL), settings.get(Keys.RECOVERY_TIME), settings.get(Keys.ACTION),
                settings.get(Keys.MAX_REBOOTS), settings.get(Keys.REBOOT_WINDOW),
                new Schedule(settings.get(Keys.RESTART_AT), settings.get(Keys.RESTART_AFTER),
                        settings.get(Keys.CHECK_INTERVAL)));
    }

    public boolean hasPorts() {
        return !portsAll.isEmpty() || !portsAny.isEmpty();
    }
}
