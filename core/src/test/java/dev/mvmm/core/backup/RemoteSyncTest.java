package dev.mvmm.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mvmm.core.exec.Programs;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.support.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Off-site mirrors on a local directory (a mounted NAS), with real rsync. */
class RemoteSyncTest {

    @TempDir
    Path dir;

    private Path backups;
    private Path offsite;
    private StateStore store;
    private BackupRepository records;
    private MutableClock clock;
    private RemoteSync sync;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Programs.onPath("rsync"));
        backups = Files.createDirectories(dir.resolve("backups"));
        offsite = dir.resolve("offsite");
        store = StateStore.open(dir.resolve("state.db"));
        records = new BackupRepository(store);
        clock = MutableClock.at("2026-01-01T03:00:00Z");
        sync = new RemoteSync(Remote.of(offsite.toString(), List.of(), List.of(), null, false), clock, records);
    }

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void a_mirror_whose_local_archive_retention_deleted_is_archived_remotely_under_the_recorded_name()
            throws IOException {
        startChain("20260101T030000Z", "first chain", "2026-01-01T03:00:20Z");
        sync.sync("web", backups, null);
        // While the remote is unreachable: a new chain; the old one is archived and, with max_chains=0, deleted.
        Instant archivedAt = Instant.parse("2026-01-02T03:00:00Z");
        Path archived = Archives.archive(backups.resolve("web"), archivedAt);
        records.chainArchived("web", "20260101T030000Z", archivedAt, archived.toString());
        Archives.delete(archived);
        startChain("20260102T030000Z", "second chain", "2026-01-02T03:00:30Z");
        clock.advance(java.time.Duration.ofDays(3));

        String done = sync.sync("web", backups, null);

        assertThat(entries(offsite)).containsExactly("web", "web.20260102T030000Z");
        assertThat(done).contains("remote archived [web.20260102T030000Z]");
        assertThat(Files.readString(offsite.resolve("web.20260102T030000Z/vda.full.data"))).isEqualTo("first chain");
        assertThat(files(offsite.resolve("web"))).isEqualTo(files(backups.resolve("web")));
    }

    @Test
    void a_mirror_of_a_chain_never_archived_gets_the_sync_time() throws IOException {
        startChain("20260101T030000Z", "first chain", "2026-01-01T03:00:20Z");
        sync.sync("web", backups, null);
        Archives.delete(backups.resolve("web"));
        startChain("20260102T030000Z", "second chain", "2026-01-02T03:00:30Z");
        clock.advance(java.time.Duration.ofDays(3));

        sync.sync("web", backups, null);

        assertThat(entries(offsite)).containsExactly("web", "web.20260104T030000Z");
    }

    @Test
    void a_switch_cut_between_its_renames_is_read_from_the_new_copy_and_finished_by_the_next_sync()
            throws IOException {
        startChain("20260101T030000Z", "full", "2026-01-01T03:00:20Z");
        sync.sync("web", backups, null);
        Files.writeString(backups.resolve("web/vda.inc.virtnbdbackup.1.data"), "inc");
        // The state a sync killed between 'web -> .web.old' and '.web.new -> web' leaves.
        copy(backups.resolve("web"), offsite.resolve(".web.new"));
        Files.move(offsite.resolve("web"), offsite.resolve(".web.old"));
        RemoteSync reader = new RemoteSync(Remote.of(offsite.toString(), List.of(), List.of(), null, false), clock);

        assertThat(RemoteSync.chains("web", entries(offsite))).containsExactly("web");
        assertThat(reader.holdings("web")).singleElement().asString().startsWith("web (")
                .contains("held as .web.new after a cut-off switch");
        RemoteSync.fetch(Remote.of(offsite.toString(), List.of(), List.of(), null, false), "web",
                dir.resolve("fetched"));
        assertThat(files(dir.resolve("fetched"))).isEqualTo(files(backups.resolve("web")));

        sync.sync("web", backups, null);

        assertThat(entries(offsite)).containsExactly("web");
        assertThat(files(offsite.resolve("web"))).isEqualTo(files(backups.resolve("web")));
    }

    @Test
    void a_switch_cut_by_an_older_mvmm_gets_the_old_copy_back_and_is_then_redone() throws IOException {
        startChain("20260101T030000Z", "full", "2026-01-01T03:00:20Z");
        sync.sync("web", backups, null);
        Files.writeString(backups.resolve("web/vda.inc.virtnbdbackup.1.data"), "inc");
        copy(backups.resolve("web"), offsite.resolve(".web.incoming"));
        Files.move(offsite.resolve("web"), offsite.resolve(".web.old"));

        assertThat(sync.repair("web", entries(offsite))).containsExactly("web");
        assertThat(Files.exists(offsite.resolve("web/vda.inc.virtnbdbackup.1.data"))).isFalse();

        sync.sync("web", backups, null);

        assertThat(entries(offsite)).containsExactly("web");
        assertThat(files(offsite.resolve("web"))).isEqualTo(files(backups.resolve("web")));
    }

    @Test
    void leftovers_beside_a_present_chain_are_dropped_and_other_vms_are_left_alone() throws IOException {
        startChain("20260101T030000Z", "full", "2026-01-01T03:00:20Z");
        sync.sync("web", backups, null);
        for (String leftover : List.of(".web.new", ".web.old", ".web.incoming", ".web.20260101T000000Z.incoming",
                ".web.20260101T000000Z.deleting", ".webserver.new", "web.new")) {
            Files.createDirectories(offsite.resolve(leftover));
        }

        sync.sync("web", backups, null);

        assertThat(entries(offsite)).containsExactly(".webserver.new", "web", "web.new");
    }

    @Test
    void remote_retention_deletes_the_oldest_whole_chains_and_leaves_nothing_behind() throws IOException {
        startChain("20260101T030000Z", "full", "2026-01-01T03:00:20Z");
        for (String archive : List.of("web.20251201T030000Z", "web.20251202T030000Z", "web.20251203T030000Z")) {
            Files.createDirectories(offsite.resolve(archive));
        }

        String done = sync.sync("web", backups, 1);

        assertThat(done).contains("remote retention deleted [web.20251202T030000Z, web.20251201T030000Z]");
        assertThat(entries(offsite)).containsExactly("web", "web.20251203T030000Z");
    }

    @Test
    void the_bandwidth_limit_is_honoured_by_the_copy() throws IOException {
        startChain("20260101T030000Z", "full", "2026-01-01T03:00:20Z");
        byte[] data = new byte[384 * 1024];
        new java.util.Random(6).nextBytes(data);
        Files.write(backups.resolve("web/vda.inc.virtnbdbackup.1.data"), data);
        RemoteSync limited = new RemoteSync(Remote.of(offsite.toString(), List.of(), List.of(), 128, false), clock,
                records);

        long started = System.nanoTime();
        limited.sync("web", backups, null);
        java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - started);

        // 384 KiB at 128 KiB/s: three seconds; unlimited, a local copy takes milliseconds.
        assertThat(took).isGreaterThan(java.time.Duration.ofSeconds(2));
        assertThat(Files.readAllBytes(offsite.resolve("web/vda.inc.virtnbdbackup.1.data"))).isEqualTo(data);
    }

    private void startChain(String id, String data, String written) throws IOException {
        Path chain = Files.createDirectories(backups.resolve("web"));
        Files.writeString(chain.resolve("web.cpt"), "[\"virtnbdbackup.0\"]");
        Path full = Files.writeString(chain.resolve("vda.full.data"), data);
        Files.setLastModifiedTime(full, FileTime.from(Instant.parse(written)));
        records.chainStarted("web", id, Instant.parse(written).minusSeconds(20), chain.toString());
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> list = Files.list(from)) {
            for (Path file : (Iterable<Path>) list::iterator) {
                Files.copy(file, to.resolve(file.getFileName()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static List<String> entries(Path directory) throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> files(Path chain) throws IOException {
        try (Stream<Path> walk = Files.walk(chain)) {
            return walk.filter(Files::isRegularFile).map(p -> {
                try {
                    return chain.relativize(p) + " " + Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }
}
