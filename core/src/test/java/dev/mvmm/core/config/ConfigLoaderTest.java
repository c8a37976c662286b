package dev.mvmm.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigLoaderTest {

    @TempDir
    Path dir;

    private void write(String file, String... lines) throws IOException {
        Files.write(dir.resolve(file), List.of(lines));
    }

    private Configuration load() {
        return new ConfigLoader(dir).load();
    }

    private VmConfig vm(String name) {
        return load().vm(name).orElseThrow();
    }

    private static String errors(VmConfig vm) {
        return vm.problems().stream().filter(ConfigProblem::isError).map(Object::toString)
                .reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void loads_the_original_tools_shipped_files_unchanged() throws IOException {
        write("mvmm.conf", "check_interval=2", "fail_interval=15", "fail_threshold=30", "wait_interval=15",
                "log_interval=900");
        write("100.conf", "name=nginx", "ip=192.168.1.25", "portsall=80");

        Configuration config = load();
        VmConfig vm = config.vm("100").orElseThrow();

        assertThat(config.warnings()).isEmpty();
        assertThat(vm.problems()).isEmpty();
        assertThat(vm.isValid()).isTrue();
        assertThat(vm.isEnabled()).isTrue();
        assertThat(vm.displayName()).isEqualTo("nginx");
        assertThat(vm.settings().get(Keys.IP)).isEqualTo("192.168.1.25");
        assertThat(vm.settings().get(Keys.PORTS_ALL)).containsExactly(80);
        assertThat(vm.settings().get(Keys.CHECK_INTERVAL)).isEqualTo(Duration.ofSeconds(2));
        assertThat(vm.settings().get(Keys.FAIL_INTERVAL)).isEqualTo(Duration.ofSeconds(15));
        assertThat(vm.settings().get(Keys.FAIL_THRESHOLD)).isEqualTo(Duration.ofSeconds(30));
        assertThat(vm.settings().get(Keys.WAIT_INTERVAL)).isEqualTo(Duration.ofSeconds(15));
        assertThat(vm.settings().get(Keys.LOG_INTERVAL)).isEqualTo(Duration.ofSeconds(900));
    }

    @Test
    void loads_the_original_disabled_sample_as_a_disabled_vm() throws IOException {
        write("902.conf", "enabled=false", "name=test2", "ip=192.168.0.107", "portsall=80");

        VmConfig vm = vm("902");

        assertThat(vm.isValid()).isTrue();
        assertThat(vm.isEnabled()).isFalse();
    }

    @Test
    void a_vm_file_overrides_the_global_file_for_that_vm_only() throws IOException {
        write("mvmm.conf", "fail_threshold=30", "connect_timeout=2s");
        write("web.conf", "ip=10.0.0.1", "portsall=80", "fail_threshold=2m");
        write("db.conf", "ip=10.0.0.2", "portsall=5432");

        assertThat(vm("web").settings().get(Keys.FAIL_THRESHOLD)).isEqualTo(Duration.ofMinutes(2));
        assertThat(vm("db").settings().get(Keys.FAIL_THRESHOLD)).isEqualTo(Duration.ofSeconds(30));
        assertThat(vm("db").settings().get(Keys.CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void defaults_apply_when_nothing_is_set() throws IOException {
        write("web.conf", "ip=10.0.0.1", "portsall=80");

        Settings settings = vm("web").settings();

        assertThat(settings.get(Keys.ACTION)).isEqualTo("reboot");
        assertThat(settings.get(Keys.MAX_REBOOTS)).isEqualTo(3);
        assertThat(settings.get(Keys.REBOOT_WINDOW)).isEqualTo(Duration.ofHours(1));
        assertThat(settings.get(Keys.URI_KEY).toString()).isEqualTo("qemu:///system");
    }

    @Test
    void ports_accept_spaces_commas_or_both() throws IOException {
        write("a.conf", "ip=10.0.0.1", "portsall=80 443");
        write("b.conf", "ip=10.0.0.1", "portsall=80,443");
        write("c.conf", "ip=10.0.0.1", "portsany=\"80, 443 ,8080\"");

        assertThat(vm("a").settings().get(Keys.PORTS_ALL)).containsExactly(80, 443);
        assertThat(vm("b").settings().get(Keys.PORTS_ALL)).containsExactly(80, 443);
        assertThat(vm("c").settings().get(Keys.PORTS_ANY)).containsExactly(80, 443, 8080);
    }

    @Test
    void durations_take_units_and_combinations() throws IOException {
        write("a.conf", "ip=::1", "portsall=22", "fail_threshold=90s", "wait_interval=5m", "reboot_window=1h30m",
                "recovery_time=2h", "log_interval=1d", "connect_timeout=500ms");

        Settings settings = vm("a").settings();

        assertThat(settings.get(Keys.FAIL_THRESHOLD)).isEqualTo(Duration.ofSeconds(90));
        assertThat(settings.get(Keys.WAIT_INTERVAL)).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.get(Keys.REBOOT_WINDOW)).isEqualTo(Duration.ofMinutes(90));
        assertThat(settings.get(Keys.RECOVERY_TIME)).isEqualTo(Duration.ofHours(2));
        assertThat(settings.get(Keys.LOG_INTERVAL)).isEqualTo(Duration.ofDays(1));
        assertThat(settings.get(Keys.CONNECT_TIMEOUT)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void history_detail_may_be_as_short_as_two_days() throws IOException {
        write("mvmm.conf", "history_detail=2d");

        assertThat(load().global().get(Keys.HISTORY_DETAIL)).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void scheduled_restarts_of_the_original_are_read_and_validated() throws IOException {
        write("a.conf", "ip=10.0.0.1", "portsall=80", "restart_at=03:30", "restart_after=7d");

        Settings settings = vm("a").settings();

        assertThat(settings.get(Keys.RESTART_AT)).isEqualTo(java.time.LocalTime.of(3, 30));
        assertThat(settings.get(Keys.RESTART_AFTER)).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void boot_time_is_an_alias_of_recovery_time() throws IOException {
        write("a.conf", "ip=10.0.0.1", "portsall=80", "boot_time=120");

        assertThat(vm("a").settings().get(Keys.RECOVERY_TIME)).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void accepts_ipv4_ipv6_and_host_names() throws IOException {
        write("a.conf", "ip=192.0.2.10", "portsall=80");
        write("b.conf", "ip=2001:db8::1", "portsall=80");
        write("c.conf", "ip=[fe80::1%eth0]", "portsall=80");
        write("d.conf", "ip=web-01.example.org", "portsall=80");

        assertThat(load().vms()).allSatisfy(vm -> assertThat(vm.isValid()).as(errors(vm)).isTrue());
    }

    @Test
    void a_vm_without_ports_is_checked_for_running_only_with_a_warning() throws IOException {
        write("a.conf", "ip=10.0.0.1");

        VmConfig vm = vm("a");

        assertThat(vm.isValid()).isTrue();
        assertThat(vm.problems()).singleElement().hasToString(dir.resolve("a.conf") + ":1: 'ip': no portsall or "
                + "portsany: only the VM's run state is checked");
    }

    @Nested
    class Errors_name_the_file_the_line_and_the_key {

        @Test
        void unknown_key_with_a_suggestion() throws IOException {
            write("web.conf", "ip=10.0.0.1", "portsal=80");

            assertThat(errors(vm("web"))).contains(dir.resolve("web.conf") + ":2: 'portsal': unknown key; did you "
                    + "mean 'portsall'?");
        }

        @Test
        void wrong_case_key_suggests_the_right_one() throws IOException {
            write("web.conf", "IP=10.0.0.1");

            assertThat(errors(vm("web"))).contains(":1: 'IP': unknown key; did you mean 'ip'?");
        }

        @Test
        void unknown_key_far_from_any_gets_a_pointer_to_the_list() throws IOException {
            write("web.conf", "colour=blue");

            assertThat(errors(vm("web"))).contains("'colour': unknown key; see 'man mvmm'");
        }

        @Test
        void port_out_of_range() throws IOException {
            write("web.conf", "ip=10.0.0.1", "portsall=80 70000");

            assertThat(errors(vm("web"))).contains(":2: 'portsall': port 70000 is out of range 1-65535");
        }

        @Test
        void port_that_is_not_a_number() throws IOException {
            write("web.conf", "ip=10.0.0.1", "portsall=http");

            assertThat(errors(vm("web"))).contains(":2: 'portsall': 'http' is not a port number");
        }

        @Test
        void negative_duration() throws IOException {
            write("web.conf", "fail_threshold=-5");

            assertThat(errors(vm("web"))).contains(":1: 'fail_threshold': '-5' is negative");
        }

        @Test
        void non_numeric_duration() throws IOException {
            write("web.conf", "check_interval=often");

            assertThat(errors(vm("web"))).contains(":1: 'check_interval': 'often' is not a duration");
        }

        @Test
        void zero_check_interval_is_too_short() throws IOException {
            write("web.conf", "check_interval=0");

            assertThat(errors(vm("web"))).contains("'check_interval': '0' is too short; the minimum is 1s");
        }

        @Test
        void malformed_ipv4() throws IOException {
            write("web.conf", "ip=192.168.1.300", "portsall=80");

            assertThat(errors(vm("web"))).contains(":1: 'ip': '192.168.1.300' is not a valid IPv4 address");
        }

        @Test
        void malformed_ipv6() throws IOException {
            write("web.conf", "ip=2001:db8:::1", "portsall=80");

            assertThat(errors(vm("web"))).contains("is not a valid IPv6 address");
        }

        @Test
        void malformed_host_name() throws IOException {
            write("web.conf", "ip=web_01!", "portsall=80");

            assertThat(errors(vm("web"))).contains("'web_01!' is not a valid host name or IP address");
        }

        @Test
        void unknown_action_with_a_suggestion() throws IOException {
            write("web.conf", "action=rebot");

            assertThat(errors(vm("web"))).contains("'action': 'rebot' is not one of reboot, reset, none; did you "
                    + "mean 'reboot'?");
        }

        @Test
        void bad_boolean() throws IOException {
            write("web.conf", "enabled=maybe");

            assertThat(errors(vm("web"))).contains("'enabled': 'maybe' is not a yes/no value");
        }

        @Test
        void empty_value() throws IOException {
            write("web.conf", "log_interval=");

            assertThat(errors(vm("web"))).contains(":1: 'log_interval': has no value");
        }

        @Test
        void ports_without_an_address() throws IOException {
            write("web.conf", "portsall=80");

            assertThat(errors(vm("web"))).contains(":1: 'portsall': ports are set but no 'ip'");
        }

        @Test
        void host_wide_key_in_a_vm_file() throws IOException {
            write("web.conf", "uri=qemu:///session");

            assertThat(errors(vm("web"))).contains(":1: 'uri': can only be set in mvmm.conf");
        }

        @Test
        void sections_are_refused() throws IOException {
            write("web.conf", "[web]", "ip=10.0.0.1");

            assertThat(errors(vm("web"))).contains(":1: '[web]': sections are not supported");
        }

        @Test
        void restart_at_must_be_a_time_of_day() throws IOException {
            write("web.conf", "restart_at=3:00pm", "restart_after=24");

            assertThat(errors(vm("web"))).contains(":1: 'restart_at': '3:00pm' is not a time of day; write HH:MM")
                    .contains(":2: 'restart_after': '24' is too short; the minimum is 1m");
        }

        @Test
        void a_line_that_is_not_an_assignment_is_quoted_as_written() throws IOException {
            write("web.conf", "ip=10.0.0.1", "= 80");

            assertThat(errors(vm("web"))).contains(dir.resolve("web.conf") + ":2: cannot read '= 80'; write key=value");
        }

        @Test
        void whole_number_that_is_not_a_number() throws IOException {
            write("web.conf", "ip=10.0.0.1", "max_reboots=abc");

            assertThat(errors(vm("web"))).contains(dir.resolve("web.conf") + ":2: 'max_reboots': 'abc' is not a "
                    + "whole number");
        }

        @Test
        void negative_whole_number() throws IOException {
            write("web.conf", "ip=10.0.0.1", "max_reboots=-1");

            assertThat(errors(vm("web"))).contains(dir.resolve("web.conf") + ":2: 'max_reboots': '-1' is negative; "
                    + "expects 0 or more");
        }

        @Test
        void uri_without_a_scheme_stops_everything() throws IOException {
            write("mvmm.conf", "uri=localhost");

            assertThatThrownBy(ConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessage(dir.resolve("mvmm.conf") + ":1: 'uri': 'localhost' has no scheme; write a libvirt "
                            + "URI such as qemu:///system");
        }

        @Test
        void uri_that_is_not_a_uri_stops_everything() throws IOException {
            write("mvmm.conf", "check_interval=2", "uri=qemu+ssh://root@host /system");

            assertThatThrownBy(ConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(dir.resolve("mvmm.conf") + ":2: 'uri': 'qemu+ssh://root@host /system' "
                            + "is not a URI: ");
        }

        @Test
        void history_detail_below_two_days_stops_everything() throws IOException {
            write("mvmm.conf", "uri=qemu:///system", "history_detail=47h");

            assertThatThrownBy(ConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessage(dir.resolve("mvmm.conf") + ":2: 'history_detail': '47h' is too short; the minimum "
                            + "is 2d");
        }

        @Test
        void ssh_opts_that_turn_host_key_checking_off() throws IOException {
            write("web.conf", "ip=10.0.0.1", "ssh_opts=-i /root/key -o StrictHostKeyChecking=no");

            assertThat(errors(vm("web"))).contains(dir.resolve("web.conf") + ":2: 'ssh_opts': "
                    + "'StrictHostKeyChecking=no' turns host-key checking off, which mvmm never does: leave it out "
                    + "(mvmm uses StrictHostKeyChecking=accept-new) or write yes, and put the host's key in "
                    + "known_hosts");
        }

        @Test
        void empty_notify_command() throws IOException {
            write("web.conf", "ip=10.0.0.1", "notify_command=");

            assertThat(errors(vm("web"))).contains(dir.resolve("web.conf") + ":2: 'notify_command': has no value");
        }

        @Test
        void notify_command_of_blanks_only() throws IOException {
            write("web.conf", "ip=10.0.0.1", "notify_command=\"  \"");

            assertThat(errors(vm("web"))).contains(dir.resolve("web.conf") + ":2: 'notify_command': expects a "
                    + "command");
        }

        @Test
        void notify_command_with_an_unclosed_quote() throws IOException {
            write("web.conf", "ip=10.0.0.1", "notify_command=/usr/local/bin/notify --to 'ops team");

            assertThat(errors(vm("web"))).contains(dir.resolve("web.conf") + ":2: 'notify_command': has an "
                    + "unclosed ' quote");
        }

        @Test
        void host_name_longer_than_253_characters() throws IOException {
            String label = "a".repeat(63);
            String longest = String.join(".", label, label, label, "b".repeat(61));
            write("ok.conf", "ip=" + longest, "portsall=80");
            write("web.conf", "portsall=80", "ip=" + longest + "b");

            assertThat(vm("ok").isValid()).as(errors(vm("ok"))).isTrue();
            // Long values are shown cut, with their length (Shown.quote).
            assertThat(errors(vm("web"))).contains(dir.resolve("web.conf") + ":2: 'ip': host name '")
                    .contains("' (254 characters) is longer than 253 characters");
        }

        @Test
        void a_file_that_is_not_utf8_names_the_first_line_that_is_not() throws IOException {
            // "Büro" saved as ISO-8859-1, as an old editor would.
            Files.write(dir.resolve("web.conf"), "ip=10.0.0.1\nname=B\u00fcro\nportsall=80\n"
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

            VmConfig vm = vm("web");

            assertThat(vm.isValid()).isFalse();
            assertThat(errors(vm)).isEqualTo(dir.resolve("web.conf") + ":2: is not UTF-8 text (byte 0xfc); save "
                    + "the file as plain UTF-8\n");
        }

        @Test
        void a_control_character_in_a_value_is_refused_and_shown_escaped() throws IOException {
            // Found by ConfigFuzzTest: name=... with an escape sequence was accepted and shown raw.
            write("web.conf", "name=web\u001b[2J", "ip=10.0.0.1\u0000", "portsall=80");

            String errors = errors(vm("web"));

            assertThat(errors).contains(":1: 'name': holds the control character U+001B; no setting takes one")
                    .contains(":2: 'ip': holds the control character U+0000").doesNotContain("\u001b", "\u0000");
        }

        @Test
        void a_line_separator_in_a_value_is_refused_with_its_key_named() throws IOException {
            // Found by ConfigFuzzTest: U+0085 or U+2028 in a value gave "cannot read", without the key.
            write("web.conf", "name=a\u2028b", "enabled=\u0085true");

            assertThat(errors(vm("web"))).contains(":1: 'name': holds the control character U+2028")
                    .contains(":2: 'enabled': holds the control character U+0085");
        }

        @Test
        void a_remote_user_or_host_may_not_begin_with_a_dash() throws IOException {
            write("web.conf", "remote_path=-oProxyCommand@host:/srv", "remote_path=backup@-F:/srv");

            assertThat(errors(vm("web"))).contains(":1: 'remote_path': '-oProxyCommand@host:/srv': neither the user "
                    + "nor the host may begin with '-'").contains(":2: 'remote_path': 'backup@-F:/srv': neither");
        }

        @Test
        void a_long_value_is_shortened_in_the_message() throws IOException {
            // Found by ConfigFuzzTest: a 17,000-character value came back whole in the message.
            write("web.conf", "max_reboots=" + "7".repeat(17_000), "unknown_" + "x".repeat(100_000) + "=1");

            List<ConfigProblem> problems = vm("web").problems();

            assertThat(problems).hasSize(2).allSatisfy(problem -> assertThat(problem.toString()).hasSizeLessThan(300));
            assertThat(problems.get(0).toString()).contains("'max_reboots': '7777").endsWith("777' (17000 characters) is too "
                    + "large; the most is 2147483647");
        }

        @Test
        void digits_of_other_scripts_are_not_numbers() throws IOException {
            write("web.conf", "ip=10.0.0.1", "portsall=\uff18\uff10", "max_reboots=\u0663");

            assertThat(errors(vm("web"))).contains(":2: 'portsall': '\uff18\uff10' is not a port number")
                    .contains(":3: 'max_reboots': '\u0663' is not a whole number");
        }

        @Test
        void a_count_too_large_says_so() throws IOException {
            write("web.conf", "max_reboots=2147483648", "ip=10.0.0.1", "portsall=80 99999999999");

            assertThat(errors(vm("web"))).contains(":1: 'max_reboots': '2147483648' is too large; the most is "
                    + "2147483647").contains(":3: 'portsall': port 99999999999 is out of range 1-65535");
        }

        @Test
        void every_error_of_a_file_is_reported_at_once() throws IOException {
            write("web.conf", "ip=10.0.0.1", "portsal=80", "fail_threshold=x", "max_reboots=-1");

            assertThat(vm("web").problems()).filteredOn(ConfigProblem::isError).hasSize(3);
        }
    }

    @Test
    void a_retired_harmless_key_is_only_a_warning() throws IOException {
        write("mvmm.conf", "disabled_log_interval=25200");

        assertThat(load().warnings()).singleElement().satisfies(warning -> assertThat(warning.toString())
                .contains("mvmm.conf:1: 'disabled_log_interval': is no longer used"));
    }

    @Test
    void ram_limit_of_vm_babysitter_warns_naming_file_line_and_why_and_the_vm_stays_valid() throws IOException {
        write("web.conf", "ip=10.0.0.1", "portsall=22", "ram_limit=2G");

        VmConfig vm = vm("web");

        assertThat(vm.isValid()).isTrue();
        assertThat(vm.problems()).singleElement().satisfies(warning -> {
            assertThat(warning.isError()).isFalse();
            assertThat(warning).hasToString(dir.resolve("web.conf") + ":3: 'ram_limit': is not needed: mvmm starts "
                    + "a shut-off VM paused for its backup, so the guest's memory is never touched; remove the line");
        });
    }

    @Test
    void a_repeated_key_warns_and_the_last_wins() throws IOException {
        write("web.conf", "ip=10.0.0.1", "portsall=80", "portsall=443");

        VmConfig vm = vm("web");

        assertThat(vm.settings().get(Keys.PORTS_ALL)).containsExactly(443);
        assertThat(vm.problems()).singleElement().hasToString(dir.resolve("web.conf")
                + ":3: 'portsall': is set again; this line wins over line 2");
    }

    @Test
    void a_broken_vm_file_takes_out_that_vm_only() throws IOException {
        write("web.conf", "ip=10.0.0.1", "portsall=80");
        write("db.conf", "ip=10.0.0.2", "portsall=99999");

        Configuration config = load();

        assertThat(config.vm("web").orElseThrow().isValid()).isTrue();
        assertThat(config.vm("db").orElseThrow().isValid()).isFalse();
    }

    @Test
    void a_broken_global_file_stops_everything() throws IOException {
        write("mvmm.conf", "check_interval=2", "fail_treshold=30");
        write("web.conf", "ip=10.0.0.1", "portsall=80");

        assertThatThrownBy(this::load).isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("mvmm.conf") + ":2: 'fail_treshold': unknown key; did you mean "
                        + "'fail_threshold'?");
    }

    @Test
    void a_missing_directory_says_how_to_fix_it() {
        assertThatThrownBy(() -> new ConfigLoader(dir.resolve("nope")).load()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist").hasMessageContaining("--config-dir or MVMM_CONFIG_DIR");
    }

    @Test
    void a_missing_global_file_means_defaults() throws IOException {
        write("web.conf", "ip=10.0.0.1", "portsall=80");

        assertThat(vm("web").settings().get(Keys.FAIL_THRESHOLD)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void backup_files_and_hidden_files_are_not_vms() throws IOException {
        write("web.conf", "ip=10.0.0.1", "portsall=80");
        write("web.conf~", "ip=10.0.0.1");
        write(".old.conf", "ip=10.0.0.1");
        write("notes.txt", "hello");

        assertThat(load().vmNames()).containsExactly("web");
    }

    @Test
    void a_file_name_that_is_not_a_safe_vm_name_is_refused() throws IOException {
        write("bad name.conf", "ip=10.0.0.1");

        assertThat(errors(vm("bad name"))).contains("VM name 'bad name' cannot be used");
    }

    @Test
    void notify_command_is_split_into_arguments_without_a_shell() throws IOException {
        write("mvmm.conf", "notify_command=/usr/local/bin/notify --to 'ops team' \"a b\"");

        assertThat(load().global().get(Keys.NOTIFY_COMMAND)).containsExactly("/usr/local/bin/notify", "--to",
                "ops team", "a b");
    }
}
