package dev.mvmm.core.backup;

import dev.mvmm.core.store.StateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Records backups and chains for {@code stats} and {@code backup list}. */
public final class BackupRepository {

    private final StateStore store;

    public BackupRepository(StateStore store) {
        this.store = store;
    }

    /** The id of the VM's current chain, or null. */
    public String currentChain(String vm) {
        return store.read("read chains", connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT chain FROM chains WHERE vm = ?"
                    + " AND archived_at IS NULL AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 1")) {
                query.setString(1, vm);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? rows.getString(1) : null;
                }
            }
        });
    }

    /** A chain as recorded: when it started, when it was archived (or null) and where it is or was. */
    public record Chain(String chain, Instant createdAt, Instant archivedAt, String location) {
    }

    /** The VM's recorded chains, oldest first. */
    public List<Chain> chains(String vm) {
        return store.read("read chains", connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT chain, created_at, archived_at,"
                    + " location FROM chains WHERE vm = ? ORDER BY created_at")) {
                query.setString(1, vm);
                List<Chain> chains = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        long archived = rows.getLong(3);
                        chains.add(new Chain(rows.getString(1), Instant.ofEpochMilli(rows.getLong(2)),
                                rows.wasNull() ? null : Instant.ofEpochMilli(archived), rows.getString(4)));
                    }
                }
                return chains;
            }
        });
    }

    public void chainStarted(String vm, String chain, Instant at, String location) {
        store.transaction("record chain", connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT OR REPLACE INTO chains (vm, chain,"
                    + " created_at, location) VALUES (?,?,?,?)")) {
                insert.setString(1, vm);
                insert.setString(2, chain);
                insert.setLong(3, at.toEpochMilli());
                insert.setString(4, location);
                insert.executeUpdate();
            }
            return null;
        });
    }

    public void chainArchived(String vm, String chain, Instant at, String location) {
        update("UPDATE chains SET archived_at = ?, location = ? WHERE vm = ? AND chain = ?", at, location, vm, chain);
    }

    public void chainDeleted(String vm, String location, Instant at) {
        update("UPDATE chains SET deleted_at = ? WHERE vm = ? AND location = ? AND deleted_at IS NULL", at, null, vm,
                location);
    }

    public void backup(String vm, String chain, String level, Instant started, Instant finished, Long bytes,
            String result, String detail) {
        store.transaction("record backup", connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO backups (vm, chain, level,"
                    + " started_at, finished_at, bytes, result, detail) VALUES (?,?,?,?,?,?,?,?)")) {
                insert.setString(1, vm);
                insert.setString(2, chain == null ? "-" : chain);
                insert.setString(3, level);
                insert.setLong(4, started.toEpochMilli());
                insert.setLong(5, finished.toEpochMilli());
                insert.setObject(6, bytes);
                insert.setString(7, result);
                insert.setString(8, detail);
                insert.executeUpdate();
            }
            return null;
        });
    }

    private void update(String sql, Instant at, String location, String vm, String key) {
        store.transaction("record chain", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int index = 1;
                statement.setLong(index++, at.toEpochMilli());
                if (location != null) {
                    statement.setString(index++, location);
                }
                statement.setString(index++, vm);
                statement.setString(index, key);
                statement.executeUpdate();
            }
            return null;
        });
    }
}
