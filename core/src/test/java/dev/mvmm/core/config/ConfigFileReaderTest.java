package dev.mvmm.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileReaderTest {

    private static List<ConfigLine> parse(String... lines) {
        ConfigFileReader.Result result = ConfigFileReader.parse(Path.of("t.conf"), List.of(lines));
        assertThat(result.problems()).isEmpty();
        return result.lines();
    }

    @TempDir
    Path dir;

    private ConfigFileReader.Result read(byte[]... parts) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            bytes.write(part);
        }
        Path file = dir.resolve("web.conf");
        Files.write(file, bytes.toByteArray());
        return ConfigFileReader.read(file);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_byte_order_mark_is_not_part_of_the_first_key() throws IOException {
        ConfigFileReader.Result result = read(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, utf8("ip=10.0.0.1\n"));

        assertThat(result.problems()).isEmpty();
        assertThat(result.lines()).containsExactly(new ConfigLine("ip", "10.0.0.1", 1));
    }

    @Test
    void a_byte_that_is_not_utf8_is_reported_on_its_line() throws IOException {
        // Found by ConfigFuzzTest: the whole file was refused at "line 0", leaving the operator to search.
        ConfigFileReader.Result result = read(utf8("name=web\r\nip=10.0.0.1\rname=caf"), new byte[] {(byte) 0xe9},
                utf8("\n"));

        assertThat(result.lines()).isEmpty();
        assertThat(result.problems()).singleElement().hasToString(dir.resolve("web.conf")
                + ":3: is not UTF-8 text (byte 0xe9); save the file as plain UTF-8");
    }

    @Test
    void lines_end_as_an_editor_ends_them() throws IOException {
        ConfigFileReader.Result result = read(utf8("a=1\r\nb=2\rc=3\n\nd=4\n\n"));

        assertThat(result.lines()).extracting(ConfigLine::line).containsExactly(1, 2, 3, 5);
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
