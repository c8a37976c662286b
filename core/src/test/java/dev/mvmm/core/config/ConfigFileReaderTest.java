package dev.mvmm.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigFileReaderTest {

    private static List<ConfigLine> parse(String... lines) {
        ConfigFileReader.Result result = ConfigFileReader.parse(Path.of("t.conf"), List.of(lines));
        assertThat(result.problems()).isEmpty();
        return result.lines();
    }

    @Test
    void reads_the_three_assignment_forms() {
        assertThat(parse("a=1", "b = 2", "c 3")).containsExactly(new ConfigLine("a", "1", 1),
                new ConfigLine("b", "2", 2), new ConfigLine("c", "3", 3));
    }

    @Test
    void skips_comments_and_blank_lines_and_keeps_line_numbers() {
        assertThat(parse("# comment", "", "   ", "ip=10.0.0.1 # trailing", "  # indented"))
                .containsExactly(new ConfigLine("ip", "10.0.0.1", 4));
    }

    @Test
    void a_hash_inside_a_word_is_data_and_an_escaped_hash_is_kept() {
        assertThat(parse("name=web#1", "name2=a \\# b")).containsExactly(new ConfigLine("name", "web#1", 1),
                new ConfigLine("name2", "a # b", 2));
    }

    @Test
    void removes_one_pair_of_quotes() {
        assertThat(parse("portsall=\"80 443\"", "name='x'")).extracting(ConfigLine::value)
                .containsExactly("80 443", "x");
    }

    @Test
    void joins_continued_lines() {
        assertThat(parse("portsall=80 \\", "  443")).containsExactly(new ConfigLine("portsall", "80 443", 1));
    }

    @Test
    void a_value_may_contain_equals_signs() {
        assertThat(parse("notify_command=/bin/x --a=b")).containsExactly(
                new ConfigLine("notify_command", "/bin/x --a=b", 1));
    }
}
