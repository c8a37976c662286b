package dev.mvmm.core.power;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mvmm.core.VmNames;
import dev.mvmm.core.host.PowerState;
import dev.mvmm.core.support.FakeHypervisor;
import dev.mvmm.core.support.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PowerMarkersTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private PowerMarkers markers() {
        return new PowerMarkers(dir.resolve("state/power"));
    }

    @Nested
    class Files_ {

        @Test
        void a_marker_is_read_back_as_written_from_an_owner_only_file() throws IOException {
            PowerMarker marker = new PowerMarker("web", "restore --in-place", PowerState.RUNNING, T0, 4242);

            markers().write(marker);

            assertThat(markers().read("web")).contains(marker);
            Path file = dir.resolve("state/power/web.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            try (var files = Files.list(file.getParent())) {
                assertThat(files).as("no temporary file left").containsExactly(file);
            }
        }

        @Test
        void removing_a_marker_leaves_none_and_removing_none_is_fine() {
            markers().write(PowerMarker.of("web", "backup", PowerState.SHUT_OFF, T0));

            markers().remove("web");
            markers().remove("web");

            assertThat(markers().read("web")).isEmpty();
        }

        @Test
        void a_damaged_marker_is_an_error_naming_the_file_never_silently_nothing() throws IOException {
            Files.createDirectories(dir.resolve("state/power"));
            Files.writeString(dir.resolve("state/power/web.json"), "{\"restore_to\":\"SIDEWAYS\"");

            assertThatThrownBy(() -> markers().read("web")).isInstanceOf(PowerMarkerException.class)
                    .hasMessageContaining(dir.resolve("state/power/web.json").toString())
                    .hasMessageContaining("leaves the VM's power as it is");
        }

        @Test
        void a_name_that_could_leave_the_directory_is_refused() {
            assertThatThrownBy(() -> markers().read("../web")).isInstanceOf(VmNames.UnsafeNameException.class);
        }

        @Test
        void a_marker_that_cannot_be_written_stops_the_caller_before_it_changes_anything() throws IOException {
            Files.createDirectories(dir.resolve("state"));
            Files.writeString(dir.resolve("state/power"), "a file where the directory should be");

            assertThatThrownBy(() -> markers().write(PowerMarker.of("web", "backup", PowerState.SHUT_OFF, T0)))
                    .isInstanceOf(PowerMarkerException.class).hasMessageContaining("nothing was changed");
        }
    }

    @Nested
    class Old_style_markers {

        @Test
        void a_restore_marker_in_backup_path_is_taken_over_once() throws IOException {
            Path backups = Files.createDirectories(dir.resolve("backups"));
            Path old = backups.resolve(".web.stopped-for-restore-by-mvmm");
            Files.writeString(old, "2026-03-01T09:00:00Z\n");

            Optional<PowerMarker> marker = markers().read("web", backups);

            assertThat(marker).hasValueSatisfying(m -> {
                assertThat(m.restoreTo()).isEqualTo(PowerState.RUNNING);
                assertThat(m.operation()).isEqualTo("restore --in-place");
                assertThat(m.since()).isEqualTo(Instant.parse("2026-03-01T09:00:00Z"));
            });
            assertThat(old).doesNotExist();
            assertThat(markers().read("web")).isEqualTo(marker);
        }

        @Test
        void a_backup_marker_in_backup_path_means_shut_off_and_a_dry_look_leaves_it() throws IOException {
            Path backups = Files.createDirectories(dir.resolve("backups"));
            Path old = backups.resolve(".web.started-paused-by-mvmm");
            Files.writeString(old, "garbage, not a time");

            assertThat(markers().peek("web", backups)).hasValueSatisfying(m -> {
                assertThat(m.restoreTo()).isEqualTo(PowerState.SHUT_OFF);
                assertThat(m.since()).isEqualTo(Instant.EPOCH);
            });
            assertThat(old).exists();
            assertThat(markers().read("web")).isEmpty();
        }
    }

    @Nested
    class Putting_back {

        private final MutableClock clock = MutableClock.at("2026-03-01T10:10:00Z");
        private Optional<ProcessHandle> tool = Optional.empty();

        private PowerRestore.Result restore(FakeHypervisor hypervisor, PowerMarker marker) {
            markers().write(marker);
            return new PowerRestore(hypervisor, markers(), vm -> tool, clock).restore(marker, Duration.ofSeconds(60));
        }

        @Test
        void a_vm_stopped_by_a_cut_off_operation_is_started_and_unmarked() {
            FakeHypervisor hypervisor = new FakeHypervisor().shutOff("web");

            PowerRestore.Result result = restore(hypervisor, new PowerMarker("web", "restore --in-place",
                    PowerState.RUNNING, T0, 7));

            assertThat(result.change()).isEqualTo(PowerRestore.Change.STARTED);
            assertThat(result.story()).contains("the restore --in-place begun at 2026-03-01T10:00:00Z (pid 7)");
            assertThat(hypervisor.calls()).containsExactly("start web");
            assertThat(markers().read("web")).isEmpty();
        }

        @Test
        void a_vm_whose_disks_were_being_replaced_is_not_started_and_keeps_its_marker() {
            FakeHypervisor hypervisor = new FakeHypervisor().shutOff("web");

            PowerRestore.Result result = restore(hypervisor, new PowerMarker("web", PowerMarker.REPLACING_DISKS,
                    PowerState.RUNNING, T0, 7));

            assertThat(result.change()).isEqualTo(PowerRestore.Change.LATER);
            assertThat(result.story()).contains("two different times").contains("mvmm restore --in-place web");
            assertThat(hypervisor.calls()).isEmpty();
            assertThat(markers().read("web")).isPresent();
        }

        @Test
        void a_vm_left_paused_by_a_cut_off_backup_is_shut_off_again() {
            FakeHypervisor hypervisor = new FakeHypervisor().paused("web");

            PowerRestore.Result result = restore(hypervisor, PowerMarker.of("web", "backup", PowerState.SHUT_OFF,
                    T0));

            assertThat(result.change()).isEqualTo(PowerRestore.Change.SHUT_OFF);
            assertThat(hypervisor.calls()).containsExactly("destroy web");
            assertThat(markers().read("web")).isEmpty();
        }

        @Test
        void a_paused_vm_a_tool_still_works_on_is_left_and_stays_marked() {
            FakeHypervisor hypervisor = new FakeHypervisor().paused("web");
            tool = Optional.of(ProcessHandle.current());

            PowerRestore.Result result = restore(hypervisor, PowerMarker.of("web", "backup", PowerState.SHUT_OFF,
                    T0));

            assertThat(result.change()).isEqualTo(PowerRestore.Change.LATER);
            assertThat(hypervisor.calls()).isEmpty();
            assertThat(markers().read("web")).isPresent();
        }

        @Test
        void a_running_vm_with_a_young_marker_may_still_be_going_down_and_is_looked_at_again_later() {
            FakeHypervisor hypervisor = new FakeHypervisor().running("web");
            PowerMarker marker = new PowerMarker("web", "replicate --shutdown-source", PowerState.RUNNING,
                    clock.instant().minusSeconds(30), 7);

            assertThat(restore(hypervisor, marker).change()).isEqualTo(PowerRestore.Change.LATER);
            assertThat(markers().read("web")).isPresent();

            clock.advance(Duration.ofSeconds(31));

            assertThat(restore(hypervisor, marker).change()).isEqualTo(PowerRestore.Change.NONE);
            assertThat(hypervisor.calls()).isEmpty();
            assertThat(markers().read("web")).isEmpty();
        }

        @Test
        void a_vm_resumed_by_someone_since_is_never_shut_off() {
            FakeHypervisor hypervisor = new FakeHypervisor().running("web");

            PowerRestore.Result result = restore(hypervisor, PowerMarker.of("web", "backup", PowerState.SHUT_OFF,
                    T0));

            assertThat(result.change()).isEqualTo(PowerRestore.Change.NONE);
            assertThat(hypervisor.calls()).isEmpty();
            assertThat(markers().read("web")).isEmpty();
        }

        @Test
        void a_vm_gone_from_the_host_is_unmarked() {
            PowerRestore.Result result = restore(new FakeHypervisor(), PowerMarker.of("web", "patch --restart",
                    PowerState.RUNNING, T0));

            assertThat(result.change()).isEqualTo(PowerRestore.Change.GONE);
            assertThat(markers().read("web")).isEmpty();
        }
    }
}
