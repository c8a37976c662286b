package dev.mvmm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mvmm.core.backup.Archives;
import dev.mvmm.core.backup.BackupException;
import dev.mvmm.core.backup.BackupRepository;
import dev.mvmm.core.backup.BackupServices;
import dev.mvmm.core.backup.BackupSettings;
import dev.mvmm.core.backup.Backups;
import dev.mvmm.core.backup.RemoteSync;
import dev.mvmm.core.backup.Retention;
import dev.mvmm.core.backup.Tools;
import dev.mvmm.core.backup.VmBackup;
import dev.mvmm.core.host.HypervisorException;
import dev.mvmm.core.host.proxmox.ProxmoxHypervisor;
import dev.mvmm.core.lock.VmLock;
import dev.mvmm.core.lock.VmLocks;
import dev.mvmm.core.notify.Notifier;
import dev.mvmm.core.restore.RestoreJob;
import dev.mvmm.core.store.StateStore;
import dev.mvmm.core.support.FakeHypervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile VM and chain names (spaces, quotes, newlines, unicode, {@code ../}, a leading {@code -},
 * very long names, {@code .} and {@code ..}, slashes, NUL) where a name becomes a file name: the
 * rule in {@link VmNames}, and every place a VM or chain name is resolved under {@code backup_path}
 * or the lock directory. No resulting path leaves its base directory; a refused name creates nothing.
 */
class HostileNamesTest {

    static final List<String> HOSTILE = List.of("my vm", "a'b", "a\"b", "a\nb", "a\rb", "日本", "é", "../etc", "..",
            ".", "...", ".hidden", "-rf", "--help", "-oProxyCommand=touch x", "a/b", "/abs", "a/../../b", "a\u0000b",
            "x".repeat(201), "", " ", "\t", "a\\b", "$(reboot)", "`id`", "a;b", "a|b", "a&b", "*", "?", "~root",
            "\u202eevil", "a\u001b[2Jb", "web.20261121T135203Z", "restores", "a:b", "a@b", "a=b", "a,b", "a#b");

    static final List<String> SAFE = List.of("web", "100", "db-1", "a.b", "_x", "+x", "web_2", "Web.Example-1",
            "x".repeat(200), "a-", "a.");

    @TempDir
    Path dir;

    @Nested
    class The_rule {

        @Test
        void refuses_every_hostile_name_and_says_so_in_printable_text() {
            for (String name : HOSTILE) {
                String problem = VmNames.problem(name);
                assertThat(problem).as(printable(name)).isNotNull();
                assertThat(problem).as(printable(name)).doesNotContain("\n", "\r", "\u0000", "\u001b", "\u202e");
                assertThat(problem.length()).as(printable(name)).isLessThan(400);
                assertThatThrownBy(() -> VmNames.require(name)).isInstanceOf(VmNames.UnsafeNameException.class);
            }
        }

        @Test
        void accepts_ordinary_names_and_each_is_one_entry_of_its_directory() {
            for (String name : SAFE) {
                assertThat(VmNames.problem(name)).as(name).isNull();
                assertThat(within(dir, dir.resolve(name))).as(name).isTrue();
                assertThat(dir.resolve(name).normalize().getParent()).as(name).isEqualTo(dir);
            }
        }

        @Test
        void a_name_that_looks_like_an_archive_or_the_restores_folder_is_refused_with_why() {
            assertThat(VmNames.problem("web.20261121T135203Z")).contains("archived chains");
            assertThat(VmNames.problem("restores")).contains("restores");
            assertThat(VmNames.problem("-x")).contains("not starting with a dot or a dash");
        }
    }

    @Nested
    class Lock_files {

        @Test
        void a_hostile_name_creates_no_lock_file_anywhere() throws IOException {
            Path locks = Files.createDirectories(dir.resolve("state/locks"));
            List<Path> before = tree(dir);
            for (String name : HOSTILE) {
                VmLocks vmLocks = new VmLocks(locks, Clock.systemUTC());
                assertThatThrownBy(() -> vmLocks.tryLock(name, "backup")).as(printable(name))
                        .isInstanceOf(VmNames.UnsafeNameException.class);
                assertThatThrownBy(() -> vmLocks.holder(name)).isInstanceOf(VmNames.UnsafeNameException.class);
            }
            assertThat(tree(dir)).isEqualTo(before);
        }

        @Test
        void a_safe_name_locks_a_file_inside_the_lock_directory() throws IOException {
            Path locks = dir.resolve("locks");
            for (String name : SAFE) {
                try (VmLock lock = new VmLocks(locks, Clock.systemUTC()).tryLock(name, "backup").orElseThrow()) {
                    assertThat(lock).isNotNull();
                }
            }
            try (Stream<Path> files = Files.walk(dir)) {
                assertThat(files.filter(Files::isRegularFile)).allSatisfy(file -> assertThat(file.getParent())
                        .isEqualTo(locks));
            }
        }
    }

    @Nested
    class Backup_path {

        /** The hypervisor lists domains of any name; 'mvmm backup' without names takes them all. */
        @Test
        void a_domain_with_a_hostile_name_is_refused_before_any_path_lock_or_command() throws IOException {
            Path backups = Files.createDirectories(dir.resolve("srv/backups"));
            Files.createDirectories(dir.resolve("srv/other"));
            List<Path> before = tree(dir);
            FakeHypervisor hypervisor = new FakeHypervisor();
            HOSTILE.forEach(hypervisor::running);
            List<Backups.Target> targets = new ArrayList<>();
            for (String name : HOSTILE) {
                targets.add(new Backups.Target(name, settings(backups)));
            }
            try (StateStore store = StateStore.open(dir.resolve("state.db"))) {
                BackupServices services = new BackupServices(hypervisor, new Tools("test:///default"),
                        new VmLocks(dir.resolve("locks"), Clock.systemUTC()),
                        new dev.mvmm.core.power.PowerMarkers(dir.resolve("power")), new BackupRepository(store),
                        Notifier.NONE, Clock.systemUTC(), Sleeper.SYSTEM);

                List<VmBackup> outcomes = new Backups(services).run(targets, false, false);

                assertThat(outcomes).hasSize(HOSTILE.size()).allSatisfy(outcome -> {
                    assertThat(outcome.result()).as(printable(outcome.vm())).isEqualTo(VmBackup.Result.FAILED);
                    assertThat(outcome.detail()).contains("cannot be used");
                    assertThat(outcome.vm() + outcome.detail()).doesNotContain("\n", "\r", "\u0000", "\u001b");
                });
            }
            List<Path> after = tree(dir);
            after.removeIf(path -> path.getFileName().toString().startsWith("state.db"));
            assertThat(after).isEqualTo(before);
            assertThat(hypervisor.calls()).isEmpty();
        }

        @Test
        void a_chain_name_outside_the_vms_own_is_refused_before_anything_is_fetched_or_restored() {
            BackupSettings settings = settings(dir.resolve("backups"));
            List<String> chains = List.of("../../etc", "web/../../etc", "web.../../../tmp/x", "web.20261121T135203Z/..",
                    "db", "db.20261121T135203Z", "web.", "web.latest", "web.20261121T135203Z.x", "", "..", "/etc",
                    "web.20261121T135203Z\n");
            for (String chain : chains) {
                assertThatThrownBy(() -> RestoreJob.fetch(settings, "web", chain)).as(printable(chain))
                        .isInstanceOf(BackupException.class).hasMessageContaining("is not a chain of web");
                RestoreJob job = new RestoreJob(null, null, null, null, Notifier.NONE, Clock.systemUTC(), Sleeper.SYSTEM);
                RestoreJob.Plan plan = new RestoreJob.Plan("web", chain, false, null, null, null,
                        RestoreJob.Mode.DIRECTORY, null, null, false, null);
                assertThatThrownBy(() -> job.run(plan, settings)).as(printable(chain))
                        .hasMessageContaining("is not a chain of web");
            }
            assertThat(dir.resolve("backups")).doesNotExist();
        }

        @Test
        void a_hostile_vm_name_is_refused_by_restore_and_by_the_off_site_copy() {
            BackupSettings settings = settings(dir.resolve("backups"));
            for (String name : HOSTILE) {
                assertThatThrownBy(() -> RestoreJob.fetch(settings, name, name)).as(printable(name))
                        .isInstanceOf(VmNames.UnsafeNameException.class);
                RemoteSync sync = new RemoteSync(dev.mvmm.core.backup.Remote.of(dir.resolve("remote").toString(),
                        List.of(), List.of(), null, false), Clock.systemUTC());
                assertThatThrownBy(() -> sync.sync(name, dir.resolve("backups"), null))
                        .isInstanceOf(VmNames.UnsafeNameException.class);
                assertThatThrownBy(() -> sync.holdings(name)).isInstanceOf(VmNames.UnsafeNameException.class);
            }
            assertThat(dir.resolve("remote")).doesNotExist();
        }

        @Test
        void default_restore_directories_and_archives_of_safe_names_stay_in_backup_path() throws IOException {
            Path backups = Files.createDirectories(dir.resolve("backups"));
            Instant at = Instant.parse("2026-11-21T13:52:03Z");
            for (String name : SAFE) {
                Path restored = RestoreJob.defaultDirectory(settings(backups), name, at);
                assertThat(restored.getParent()).isEqualTo(backups.resolve("restores"));
                Path chain = Files.createDirectories(backups.resolve(name));
                Path archived = Archives.archive(chain, at);
                assertThat(archived.getParent()).as(name).isEqualTo(backups);
                assertThat(Archives.list(backups, name)).extracting(Retention.Item::name)
                        .containsExactly(archived.getFileName().toString());
            }
        }

        @Test
        void archives_are_matched_by_the_exact_name_never_as_a_pattern() throws IOException {
            Path backups = Files.createDirectories(dir.resolve("backups"));
            for (String other : List.of("axb.20261121T135203Z", "a.bc.20261121T135203Z", "a.b.x.20261121T135203Z",
                    "a.b.20261121T135203Z.old")) {
                Files.createDirectories(backups.resolve(other));
            }

            assertThat(Archives.list(backups, "a.b")).isEmpty();
        }
    }

    @Nested
    class Proxmox {

        @Test
        void qm_is_never_run_with_anything_but_a_vmid() {
            ProxmoxHypervisor proxmox = new ProxmoxHypervisor(dir, List.of(dir.resolve("qm-never-run").toString()));
            for (String name : Stream.concat(HOSTILE.stream(), Stream.of("web", "99", "1234567890", "+100"))
                    .toList()) {
                assertThatThrownBy(() -> proxmox.start(name)).as(printable(name))
                        .isInstanceOf(HypervisorException.class).hasMessageContaining("is not a Proxmox VMID");
                assertThatThrownBy(() -> proxmox.shutdown(name, Duration.ofSeconds(1)))
                        .hasMessageContaining("is not a Proxmox VMID");
                assertThat(proxmox.status(name)).isEqualTo(Optional.empty());
            }
        }
    }

    private static BackupSettings settings(Path backupPath) {
        return new BackupSettings(backupPath, null, new Retention.Policy(null, null, null, null, null), null,
                List.of(), false, false, false, null, Duration.ofSeconds(1));
    }

    private static boolean within(Path base, Path path) {
        return path.normalize().startsWith(base.normalize()) && !path.normalize().equals(base.normalize());
    }

    private static List<Path> tree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return new ArrayList<>(paths.sorted().toList());
        }
    }

    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.length() > 60 ? out.substring(0, 60) + "..." : out.toString();
    }
}
