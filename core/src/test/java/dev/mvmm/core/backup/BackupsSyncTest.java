package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mvmm.core.exec.Programs;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.notify.Event;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.support.FakeHypervisor;
import dev.mvmm.core.support.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mvmm backup --sync-only} through {@link Backups}, with a local remote_path and real rsync. */
class BackupsSyncTest {

    @TempDir
    Path dir;

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private StateStore store;
    private Backups backups;

    /** A host without virtnbdbackup, qemu-img or virsh: only rsync is needed for a sync. */
    private static final class NoBackupTools extends Tools {
        NoBackupTools() {
            super("test:///default");
        }

        @Override
        public String missingProgram() {
            return "virtnbdbackup";
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Programs.onPath("rsync"));
        store = StateStore.open(dir.resolve("state.db"));
        MutableClock clock = MutableClock.at("2026-01-01T03:00:00Z");
        backups = new Backups(new BackupServices(new FakeHypervisor(), new NoBackupTools(),
                new VmLocks(dir.resolve("locks"), clock), new dev.mvmm.core.power.PowerMarkers(dir.resolve("power")),
                new BackupRepository(store), events::add, clock, clock));
        Files.createDirectories(dir.resolve("backups/web"));
        Files.writeString(dir.resolve("backups/web/vda.full.data"), "full");
    }

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
    }

    private Backups.Target target(String remotePath) {
        return new Backups.Target("web", new BackupSettings(dir.resolve("backups"), null,
                new Retention.Policy(null, null, null, null, null), null, List.of(), false, false, false,
                new BackupSettings.RemoteSettings(remotePath, List.of(), List.of(), null, false, null), null));
    }

    @Test
    void sync_only_needs_none_of_the_backup_tools() {
        VmBackup outcome = backups.run(List.of(target(dir.resolve("offsite").toString())), false, false, true).get(0);

        assertThat(outcome.result()).as(outcome.detail()).isEqualTo(VmBackup.Result.SKIPPED);
        assertThat(outcome.syncFailed()).as(outcome.sync()).isFalse();
        assertThat(dir.resolve("offsite/web/vda.full.data")).hasContent("full");
    }

    @Test
    void a_backup_still_needs_them() {
        VmBackup outcome = backups.run(List.of(target(dir.resolve("offsite").toString())), false, false, false).get(0);

        assertThat(outcome.result()).isEqualTo(VmBackup.Result.FAILED);
        assertThat(outcome.detail()).startsWith("virtnbdbackup is not installed");
        assertThat(dir.resolve("offsite")).doesNotExist();
    }

    @Test
    void a_failed_sync_is_notified_as_sync_failure_and_leaves_the_local_chain_alone() throws IOException {
        Files.writeString(dir.resolve("not-a-directory"), "");

        VmBackup outcome = backups.run(List.of(target(dir.resolve("not-a-directory/offsite").toString())), false,
                false, true).get(0);

        assertThat(outcome.syncFailed()).isTrue();
        assertThat(outcome.sync()).startsWith("failed: cannot reach");
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo("sync-failure");
            assertThat(event.vm()).isEqualTo("web");
            assertThat(event.level()).isEqualTo(Event.Level.CRITICAL);
            assertThat(event.message()).startsWith("web: off-site copy failed, retried next run: cannot reach");
        });
        assertThat(dir.resolve("backups/web/vda.full.data")).hasContent("full");
    }
}
