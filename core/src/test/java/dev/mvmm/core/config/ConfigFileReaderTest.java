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

    /**
     * The grammar as regular expressions, as the reader first implemented it: the scanners that replaced
     * them (for start-up speed) must agree with them on any text.
     */
    @org.junit.jupiter.api.Nested
    class The_scanners_agree_with_the_grammar_as_regular_expressions {

        private static final java.util.regex.Pattern ASSIGNMENT = java.util.regex.Pattern.compile(
                "([^\\s=]+)\\s*(?:=\\s*|\\s+|$)(.*)", java.util.regex.Pattern.DOTALL);
        private static final java.util.regex.Pattern SECTION = java.util.regex.Pattern.compile("\\[.*]");
        private static final java.util.regex.Pattern LINE_BREAK = java.util.regex.Pattern.compile("\\r\\n|\\r|\\n");
        private static final java.util.regex.Pattern SEPARATORS = java.util.regex.Pattern.compile("[\\s,]+");
        /** Characters the grammar treats apart, and a few it does not. */
        private static final String ALPHABET = "ab1=# \t\n\r\u000b\f,[]\\\"'\u0085\u2028\u2029\u00a0\u3000.-";

        private static String random(java.util.Random random) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            return text.toString();
        }

        @Test
        void on_random_text() {
            java.util.Random random = new java.util.Random(20_261_122L);
            for (int n = 0; n < 200_000; n++) {
                String text = random(random);
                java.util.regex.Matcher matcher = ASSIGNMENT.matcher(text);
                String[] assignment = ConfigFileReader.assignment(text);
                if (matcher.matches()) {
                    assertThat(assignment).as(text).containsExactly(matcher.group(1), matcher.group(2));
                } else {
                    assertThat(assignment).as(text).isNull();
                }
                assertThat(ConfigFileReader.isSection(text)).as(text).isEqualTo(SECTION.matcher(text).matches());
                assertThat(ConfigFileReader.words(text, ',')).as(text).isEqualTo(
                        java.util.Arrays.stream(SEPARATORS.split(text)).filter(w -> !w.isEmpty()).toList());
                List<String> lines = LINE_BREAK.splitAsStream(text).toList();
                assertThat(ConfigFileReader.parse(Path.of("t.conf"), ConfigFileReader.lines(text))).as(text)
                        .isEqualTo(ConfigFileReader.parse(Path.of("t.conf"), lines));
                // Line by line, up to the empty lines a trailing break leaves (which hold no assignment).
                List<String> scanned = ConfigFileReader.lines(text);
                assertThat(lines.subList(0, scanned.size())).as(text).isEqualTo(scanned);
                assertThat(lines.subList(scanned.size(), lines.size())).as(text).allMatch(String::isEmpty);
            }
        }
    }
}
