package dev.mvmm.core.store;

import java.util.List;

/**
 * The schema, as an append-only list of steps; {@code PRAGMA user_version} records how many ran.
 * Never edit a released step: add one. Times are milliseconds since the epoch (UTC).
 */
final class Migrations {

    private Migrations() {
    }

    static final List<String[]> STEPS = List.<String[]>of(
            new String[] {
                // Per-VM health state, one row per VM that was ever checked.
                "CREATE TABLE vm_health ("
                        + " vm TEXT PRIMARY KEY,"
                        + " availability TEXT NOT NULL,"      // last availability recorded in transitions
                        + " verdict TEXT NOT NULL,"           // last verdict kind, for status displays
                        + " detail TEXT,"
                        + " run_id TEXT,"                     // hypervisor's id of the VM's current run
                        + " checked_at INTEGER NOT NULL,"
                        + " failing_since INTEGER,"           // start of the fail_threshold clock
                        + " healthy_since INTEGER,"           // start of the current healthy streak
                        + " recovery_until INTEGER,"          // grace after a (re)start
                        + " hold_since INTEGER,"
                        + " hold_reason TEXT,"
                        + " pending_action TEXT,"             // an action begun and not yet finished
                        + " pending_since INTEGER,"
                        + " pending_run_id TEXT,"
                        + " last_action TEXT,"
                        + " last_action_at INTEGER,"
                        + " last_action_result TEXT,"
                        + " latency_us INTEGER)",
                // What mvmm did: reboots, resets, notifications; the loop guard counts these.
                "CREATE TABLE actions ("
                        + " id INTEGER PRIMARY KEY,"
                        + " vm TEXT NOT NULL,"
                        + " at INTEGER NOT NULL,"
                        + " action TEXT NOT NULL,"
                        + " result TEXT NOT NULL,"
                        + " detail TEXT)",
                "CREATE INDEX actions_vm_at ON actions (vm, at)",
                // Availability changes (not samples): what stats integrates over time.
                "CREATE TABLE transitions ("
                        + " id INTEGER PRIMARY KEY,"
                        + " vm TEXT NOT NULL,"
                        + " at INTEGER NOT NULL,"
                        + " availability TEXT NOT NULL,"
                        + " detail TEXT)",
                "CREATE INDEX transitions_vm_at ON transitions (vm, at)",
                // Maintenance windows; scope '*' is the whole host.
                "CREATE TABLE maintenance ("
                        + " scope TEXT PRIMARY KEY,"
                        + " since INTEGER NOT NULL,"
                        + " until INTEGER,"
                        + " reason TEXT)"
            },
            new String[] {
                // Uptime origin of the current run, and the last scheduled restart (restart_at/after).
                "ALTER TABLE vm_health ADD COLUMN run_started_at INTEGER",
                "ALTER TABLE vm_health ADD COLUMN scheduled_at INTEGER"
            },
            new String[] {
                // Per-day aggregates of transitions older than the detail retention (stats).
                "CREATE TABLE daily ("
                        + " vm TEXT NOT NULL,"
                        + " day INTEGER NOT NULL,"            // UTC date, days since 1970-01-01
                        + " up_ms INTEGER NOT NULL, down_ms INTEGER NOT NULL, maintenance_ms INTEGER NOT NULL,"
                        + " stopped_ms INTEGER NOT NULL, absent_ms INTEGER NOT NULL,"
                        + " unmonitored_ms INTEGER NOT NULL,"
                        + " outages INTEGER NOT NULL, recoveries INTEGER NOT NULL, recovery_ms INTEGER NOT NULL,"
                        + " actions TEXT NOT NULL,"           // kind=count;kind=count
                        + " open_at_start INTEGER NOT NULL,"  // 1 if an outage was under way at 00:00
                        + " PRIMARY KEY (vm, day)) WITHOUT ROWID",
                // Backups as the backup command records them; stats reads them.
                "CREATE TABLE backups ("
                        + " id INTEGER PRIMARY KEY,"
                        + " vm TEXT NOT NULL,"
                        + " chain TEXT NOT NULL,"
                        + " level TEXT NOT NULL,"             // full, inc, copy
                        + " started_at INTEGER NOT NULL,"
                        + " finished_at INTEGER,"
                        + " bytes INTEGER,"
                        + " result TEXT NOT NULL,"            // ok, failed
                        + " detail TEXT)",
                "CREATE INDEX backups_vm_started ON backups (vm, started_at)",
                "CREATE TABLE chains ("
                        + " vm TEXT NOT NULL,"
                        + " chain TEXT NOT NULL,"
                        + " created_at INTEGER NOT NULL,"
                        + " archived_at INTEGER,"
                        + " deleted_at INTEGER,"
                        + " location TEXT,"
                        + " PRIMARY KEY (vm, chain))",
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"
            },
            new String[] {
                // Per-month sums of the daily totals, kept with them: a year's window reads a dozen rows
                // a VM instead of 365, and a longer history costs no more to report.
                "CREATE TABLE monthly ("
                        + " vm TEXT NOT NULL,"
                        + " month INTEGER NOT NULL,"          // the month's first UTC day, days since 1970-01-01
                        + " up_ms INTEGER NOT NULL, down_ms INTEGER NOT NULL, maintenance_ms INTEGER NOT NULL,"
                        + " stopped_ms INTEGER NOT NULL, absent_ms INTEGER NOT NULL,"
                        + " unmonitored_ms INTEGER NOT NULL,"
                        + " outages INTEGER NOT NULL, recoveries INTEGER NOT NULL, recovery_ms INTEGER NOT NULL,"
                        + " actions TEXT NOT NULL,"           // kind=count;... (a kind may repeat: counts add)
                        + " PRIMARY KEY (vm, month)) WITHOUT ROWID",
                "INSERT INTO monthly SELECT vm, CAST(julianday(date(day * 86400, 'unixepoch', 'start of month'))"
                        + " - 2440587.5 AS INTEGER) AS first, sum(up_ms), sum(down_ms), sum(maintenance_ms),"
                        + " sum(stopped_ms), sum(absent_ms), sum(unmonitored_ms), sum(outages), sum(recoveries),"
                        + " sum(recovery_ms), coalesce(group_concat(nullif(actions, ''), ';'), '') FROM daily"
                        + " GROUP BY vm, first"
            });
}
