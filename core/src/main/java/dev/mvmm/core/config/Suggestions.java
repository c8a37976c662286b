package dev.mvmm.core.config;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" hints: the nearest known word by edit distance, if it is near enough. */
public final class Suggestions {

    private Suggestions() {
    }

    /** Returns {@code "; did you mean 'x'?"} or an empty string. */
    public static String didYouMean(String word, Collection<String> known) {
        String best = nearest(word, known);
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    public static String nearest(String word, Collection<String> known) {
        String lower = word.toLowerCase(Locale.ROOT);
        int allowed = Math.max(1, Math.min(3, word.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            // The distance is at least the difference in length: a 100,000-character word costs nothing.
            if (Math.abs(candidate.length() - lower.length()) > allowed) {
                continue;
            }
            int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= allowed ? best : null;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
