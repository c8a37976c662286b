package dev.mvmm.core.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern ASSIGNMENT = Pattern.compile("([^\\s=]+)\\s*(?:=\\s*|\\s+|$)(.*)");
    private static final Pattern SECTION = Pattern.compile("\\[.*]");

    private ConfigFileReader() {
    }

    /** What a file holds: its assignments in order and what was wrong with its syntax. */
    public record Result(List<ConfigLine> lines, List<ConfigProblem> problems) {
    }

    public static Result read(Path file) {
        List<String> raw;
        try {
            raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            return notUtf8(file);
        } catch (IOException e) {
            return failure(file, "cannot be read (" + e.getMessage() + "); check that it exists and is readable");
        }
        return parse(file, raw);
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
            if (SECTION.matcher(text).matches()) {
                problems.add(ConfigProblem.error(file, lineNumber, text,
                        "sections are not supported; put one VM's settings in its own <VM>.conf file"));
                continue;
            }
            Matcher matcher = ASSIGNMENT.matcher(text);
            if (!matcher.matches()) {
                problems.add(ConfigProblem.error(file, lineNumber, null,
                        "cannot read '" + text + "'; write key=value"));
                continue;
            }
            lines.add(new ConfigLine(matcher.group(1), unquote(matcher.group(2).strip()), lineNumber));
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

    /** Points at the first line that is not UTF-8, and its key when the key itself is readable. */
    private static Result notUtf8(Path file) {
        String message = "is not UTF-8 text; save the file as plain UTF-8";
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return failure(file, message);
        }
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder();
        int lineNumber = 1;
        for (int start = 0; start < bytes.length; lineNumber++) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            try {
                strict.decode(ByteBuffer.wrap(bytes, start, end - start));
            } catch (CharacterCodingException e) {
                String text = new String(bytes, start, end - start, StandardCharsets.UTF_8).strip();
                Matcher matcher = ASSIGNMENT.matcher(text);
                String key = matcher.matches() && matcher.group(1).indexOf('\uFFFD') < 0 ? matcher.group(1) : null;
                return new Result(List.of(), List.of(ConfigProblem.error(file, lineNumber, key, message)));
            }
            start = end + 1;
        }
        return failure(file, message);
    }

    private static Result failure(Path file, String message) {
        return new Result(List.of(), List.of(ConfigProblem.error(file, 0, null, message)));
    }
}
