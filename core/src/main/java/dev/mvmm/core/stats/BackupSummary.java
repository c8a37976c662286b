package dev.mvmm.core.stats;

import java.time.Instant;

/**
 * A VM's backups as stats shows them: the last attempt and its chain, the last off-site copy and the
 * last restore. Filled from the
 * {@code backups} and {@code chains} tables, which the backup command writes.
 */
public record BackupSummary(Instant startedAt, Instant finishedAt, String level, Long bytes, String result,
        int chainLength, int archivedChains, Instant lastSyncAt, String lastSyncResult, Instant lastRestoreAt,
        String lastRestoreResult) {

    public BackupSummary(Instant startedAt, Instant finishedAt, String level, Long bytes, String result,
            int chainLength, int archivedChains) {
        this(startedAt, finishedAt, level, bytes, result, chainLength, archivedChains, null, null, null, null);
    }
}
