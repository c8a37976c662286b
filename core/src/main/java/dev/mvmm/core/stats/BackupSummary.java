package dev.mvmm.core.stats;

import java.time.Instant;

/**
 * A VM's backups as stats shows them: the last attempt and its chain. Filled from the
 * {@code backups} and {@code chains} tables, which the backup command writes.
 */
public record BackupSummary(Instant startedAt, Instant finishedAt, String level, Long bytes, String result,
        int chainLength, int archivedChains, Instant lastSyncAt, String lastSyncResult) {

    public BackupSummary(Instant startedAt, Instant finishedAt, String level, Long bytes, String result,
            int chainLength, int archivedChains) {
        this(startedAt, finishedAt, level, bytes, result, chainLength, archivedChains, null, null);
    }
}
