package dev.mvmm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LocationsTest {

    private static final Predicate<Path> NOTHING_EXISTS = path -> false;

    @Nested
    class Config_directory {

        @Test
        void the_option_wins_over_the_variable_and_proxmox() {
            assertThat(Locations.configDirectory(Path.of("/opt/conf"), Map.of("MVMM_CONFIG_DIR", "/srv/conf"),
                    path -> true)).isEqualTo(Path.of("/opt/conf"));
        }

        @Test
        void the_variable_wins_over_proxmox() {
            assertThat(Locations.configDirectory(null, Map.of("MVMM_CONFIG_DIR", "/srv/conf"), path -> true))
                    .isEqualTo(Path.of("/srv/conf"));
        }

        @Test
        void a_blank_variable_counts_as_unset() {
            assertThat(Locations.configDirectory(null, Map.of("MVMM_CONFIG_DIR", " "), NOTHING_EXISTS))
                    .isEqualTo(Path.of("/etc/mvmm"));
        }

        @Test
        void on_proxmox_the_cluster_file_system_is_used() {
            Set<Path> asked = new HashSet<>();
            Predicate<Path> proxmox = path -> asked.add(path) && path.equals(Path.of("/etc/pve"));

            assertThat(Locations.configDirectory(null, Map.of(), proxmox)).isEqualTo(Path.of("/etc/pve/mvmm"));
            assertThat(asked).containsExactly(Path.of("/etc/pve"));
        }

        @Test
        void elsewhere_etc_mvmm() {
            assertThat(Locations.configDirectory(null, Map.of(), NOTHING_EXISTS)).isEqualTo(Path.of("/etc/mvmm"));
        }
    }

    @Nested
    class State_file {

        @Test
        void the_option_wins_over_the_variable() {
            assertThat(Locations.stateFile(Path.of("/tmp/a.db"), Map.of("MVMM_STATE", "/tmp/b.db")))
                    .isEqualTo(Path.of("/tmp/a.db"));
        }

        @Test
        void the_variable_wins_over_the_default() {
            assertThat(Locations.stateFile(null, Map.of("MVMM_STATE", "/tmp/b.db"))).isEqualTo(Path.of("/tmp/b.db"));
        }

        @Test
        void the_default_is_under_var_lib() {
            assertThat(Locations.stateFile(null, Map.of())).isEqualTo(Path.of("/var/lib/mvmm/mvmm.db"));
            assertThat(Locations.stateFile(null, Map.of("MVMM_STATE", ""))).isEqualTo(Path.of("/var/lib/mvmm/mvmm.db"));
        }
    }

    @Nested
    class Lock_directory {

        @Test
        void the_variable_wins_over_beside_the_state() {
            assertThat(Locations.lockDirectory(Path.of("/tmp/s/mvmm.db"), Map.of("MVMM_LOCK_DIR", "/run/mvmm")))
                    .isEqualTo(Path.of("/run/mvmm"));
        }

        @Test
        void otherwise_locks_beside_the_state_database() {
            assertThat(Locations.lockDirectory(Path.of("/tmp/s/mvmm.db"), Map.of())).isEqualTo(Path.of("/tmp/s/locks"));
        }
    }
}
