package dev.mvmm.core.config;

/**
 * Text from a file as messages show it: control characters (an escape sequence would act on the
 * operator's terminal, a NUL or a line break would cut a log line) and invisible formatting ones (a
 * byte order mark, a zero-width space) written as {@code \}{@code uXXXX}, and a value too long to
 * read shortened in the middle.
 */
public final class Shown {

    private static final int LONGEST = 80;

    private Shown() {
    }

    /** {@code 'value'}, printable and at most about 80 characters. */
    public static String quote(String text) {
        if (text.length() <= LONGEST) {
            return "'" + printable(text) + "'";
        }
        return "'" + printable(cut(text)) + "' (" + text.length() + " characters)";
    }

    /** The text with every control, line-separating or direction-changing character escaped. */
    public static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isUnprintable(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** Whether a character must not reach a terminal or a log as it is. */
    static boolean isUnprintable(char c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || c == '\u2028' || c == '\u2029';
    }

    /**
     * Whether no value may hold the character: a control character other than tab, a line or
     * paragraph separator, or a change of writing direction (which makes text read other than it is).
     */
    static boolean isForbidden(char c) {
        return c != '\t' && Character.getType(c) == Character.CONTROL || c == '\u2028' || c == '\u2029'
                || c >= '\u202a' && c <= '\u202e' || c >= '\u2066' && c <= '\u2069';
    }

    /** The text, or its beginning and end when it is too long to read. */
    static String shorten(String text) {
        return text.length() <= LONGEST ? text : cut(text) + " (" + text.length() + " characters)";
    }

    private static String cut(String text) {
        return text.substring(0, LONGEST / 2) + "…" + text.substring(text.length() - LONGEST / 4);
    }
}
