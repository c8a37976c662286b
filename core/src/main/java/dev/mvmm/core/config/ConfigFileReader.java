package dev.mvmm.core.config;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a configuration file into assignments, keeping line numbers for error messages.
 *
 * <p>The grammar is the one the original mvmm's files were written for (Perl AppConfig):
 * {@code key=value}, {@code key = value} or {@code key value}; {@code #} at the start of a line or
 * after white space starts a comment ({@code \#} is a literal {@code #}); a trailing backslash
 * continues the line; one pair of surrounding quotes is removed. Java's properties parser is not
 * used because it treats a {@code #} after a value as data and forgets line numbers.
 */
public final class ConfigFileReader {

    private ConfigFileReader() {
    }

    /** What a file holds: its assignments in order and what was wrong with its syntax. */
    public record Result(List<ConfigLine> lines, List<ConfigProblem> problems) {
    }

    public static Result read(Path file) {
        byte[] bytes;
        // java.io, not Files.readAllBytes: at start-up, before the JIT, it is half the cost a file.
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            return failure(file, 0, "cannot be read (" + e.getMessage() + "); check that it exists and is readable");
        }
        // Editors on Windows start UTF-8 files with a byte order mark; it is not part of the first key.
        int start = bytes.length >= 3 && bytes[0] == (byte) 0xef && bytes[1] == (byte) 0xbb && bytes[2] == (byte) 0xbf
                ? 3 : 0;
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, out, true);
        if (decoded.isError()) {
            int position = in.position();
            return failure(file, lineAt(bytes, position), String.format("is not UTF-8 text (byte 0x%02x); save the "
                    + "file as plain UTF-8", bytes[position] & 0xff));
        }
        out.flip();
        return parse(file, lines(out.toString()));
    }

    /*
     * The scanners below are written out rather than regular expressions: they run for every line of
     * every VM's file at each start, before the JIT has compiled anything, and the regular expressions'
     * matching was about a third of reading a thousand files. ConfigFileReaderTest holds the grammar as
     * regular expressions and checks these against it on random text.
     */

    /**
     * The lines of a text, split at {@code \r\n}, {@code \r} or {@code \n} as BufferedReader splits
     * them; a trailing break ends the last line, it starts no new one (trailing empty lines are dropped).
     */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int length = text.length();
        int start = 0;
        int kept = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (i > start) {
                    kept = lines.size();
                }
                if (c == '\r' && i + 1 < length && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < length) {
            lines.add(text.substring(start));
            kept = lines.size();
        }
        return lines.subList(0, kept);
    }

    /** White space as {@code \s} of a regular expression: space, tab, line feed, vertical tab, form feed, return. */
    private static boolean isSpace(char c) {
        return c == ' ' || c >= '\t' && c <= '\r';
    }

    /** The runs of characters that are neither white space ({@code \s}) nor {@code separator}, in order. */
    static List<String> words(String text, char separator) {
        List<String> words = new ArrayList<>();
        int length = text.length();
        for (int i = 0; i < length; i++) {
            int start = i;
            while (i < length && !isSpace(text.charAt(i)) && text.charAt(i) != separator) {
                i++;
            }
            if (i > start) {
                words.add(text.substring(start, i));
            }
        }
        return words;
    }

    /** {@code [...]}: a section header, all on one line ({@code .} of a regular expression). */
    static boolean isSection(String text) {
        int last = text.length() - 1;
        if (last < 1 || text.charAt(0) != '[' || text.charAt(last) != ']') {
            return false;
        }
        for (int i = 1; i < last; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code key=value}, {@code key = value} or {@code key value} (the key: no white space, no
     * {@code =}), as {key, value}; null when the text does not begin with a key. A value holding
     * U+0085, U+2028 or U+2029 is still an assignment of its key, refused later for that character
     * with the key named, rather than a line that cannot be read.
     */
    static String[] assignment(String text) {
        int length = text.length();
        int keyEnd = 0;
        while (keyEnd < length && !isSpace(text.charAt(keyEnd)) && text.charAt(keyEnd) != '=') {
            keyEnd++;
        }
        if (keyEnd == 0) {
            return null;
        }
        int value = keyEnd;
        while (value < length && isSpace(text.charAt(value))) {
            value++;
        }
        if (value < length && text.charAt(value) == '=') {
            value++;
            while (value < length && isSpace(text.charAt(value))) {
                value++;
            }
        }
        return new String[] {text.substring(0, keyEnd), text.substring(value)};
    }

    /** The line a byte is on, counting line breaks the way {@link java.io.BufferedReader} does. */
    private static int lineAt(byte[] bytes, int position) {
        int line = 1;
        for (int i = 0; i < position; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n')) {
                line++;
            }
        }
        return line;
    }

    static Result parse(Path file, List<String> raw) {
        List<ConfigLine> lines = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        for (int index = 0; index < raw.size(); index++) {
            int lineNumber = index + 1;
            StringBuilder logical = new StringBuilder(raw.get(index));
            while (endsWithContinuation(logical) && index + 1 < raw.size()) {
                logical.setLength(logical.length() - 1);
                logical.append(raw.get(++index).strip());
            }
            String text = stripComment(logical.toString()).strip();
            if (text.isEmpty()) {
                continue;
            }
            if (isSection(text)) {
                problems.add(ConfigProblem.error(file, lineNumber, text,
                        "sections are not supported; put one VM's settings in its own <VM>.conf file"));
                continue;
            }
            String[] assignment = assignment(text);
            if (assignment == null) {
                problems.add(ConfigProblem.error(file, lineNumber, null,
                        "cannot read " + Shown.quote(text) + "; write key=value"));
                continue;
            }
            lines.add(new ConfigLine(assignment[0], unquote(assignment[1].strip()), lineNumber));
        }
        return new Result(List.copyOf(lines), List.copyOf(problems));
    }

    private static boolean endsWithContinuation(CharSequence text) {
        return text.length() > 0 && text.charAt(text.length() - 1) == '\\';
    }

    private static String stripComment(String text) {
        StringBuilder kept = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '#') {
                kept.append('#');
                i++;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(text.charAt(i - 1)))) {
                break;
            } else {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    private static String unquote(String value) {
        if (value.length() >= 2) {
            char first = value.charAt(0);
            char last = value.charAt(value.length() - 1);
            if ((first == '"' || first == '\'') && first == last) {
                return value.substring(1, value.length() - 1);
            }
        }
        return value;
    }

    private static Result failure(Path file, int line, String message) {
        return new Result(List.of(), List.of(ConfigProblem.error(file, line, null, message)));
    }
}
