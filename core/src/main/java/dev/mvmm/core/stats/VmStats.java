package dev.mvmm.core.stats;

import dev.mvmm.core.store.VmHealth;
import java.util.Map;

/**
 * One VM's statistics over a window.
 *
 * @param configured whether the VM still has a configuration file (history outlives it)
 * @param current    its state at the last check, or {@code null} if never checked
 * @param actions    actions taken in the window, by kind
 * @param holds      times the loop guard put it on hold in the window
 * @param backup     its backups, or {@code null} when it has none
 * @param actionTotals all actions ever, by kind (empty unless asked for)
 * @param outagesTotal all outages ever, or -1 unless asked for
 */
public record VmStats(String vm, String name, boolean configured, VmHealth current, Timeline.Totals totals,
        Map<String, Integer> actions, int holds, Map<String, Long> actionTotals, long outagesTotal,
        BackupSummary backup) {
}
