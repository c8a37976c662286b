package dev.mvmm.cli.render;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small helpers shared by the text renderers. */
final class Text {

    private Text() {
    }

    /** {@code 0.4 ms}, {@code 12 ms}, {@code 1.20 s}; a dash for none. */
    static String latency(Duration latency) {
        if (latency == null) {
            return "-";
        }
        double millis = latency.toNanos() / 1_000_000.0;
        if (millis < 10) {
            return String.format(java.util.Locale.ROOT, "%.1f ms", millis);
        }
        if (millis < 1000) {
            return String.format(java.util.Locale.ROOT, "%.0f ms", millis);
        }
        return String.format(java.util.Locale.ROOT, "%.2f s", millis / 1000);
    }

    /** Left-aligned columns; the last column is not padded. */
    static List<String> table(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns - 1; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }
}
