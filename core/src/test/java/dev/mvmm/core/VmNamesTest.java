package dev.mvmm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The VM name rule, checked against the regular expressions that state it. */
class VmNamesTest {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_+][A-Za-z0-9._+-]{0,199}");
    private static final Pattern ARCHIVE_LIKE = Pattern.compile(".*\\.[0-9]{8}T[0-9]{6}Z");

    private static boolean byTheRule(String name) {
        return !name.isEmpty() && SAFE.matcher(name).matches() && !name.equals("restores")
                && !ARCHIVE_LIKE.matcher(name).matches();
    }

    @Test
    void agrees_with_the_rule_on_random_names() {
        Random random = new Random(20_261_122L);
        String alphabet = "aZ09._+-/ \u00e9T";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder name = new StringBuilder();
            int length = n % 100 == 0 ? 195 + random.nextInt(10) : random.nextInt(8);
            for (int i = 0; i < length; i++) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (n % 3 == 0) {
                name.append('.').append(20_261_121 + random.nextInt(3)).append(random.nextBoolean() ? "T" : "t")
                        .append(135_203 + random.nextInt(2)).append(random.nextBoolean() ? "Z" : "");
            }
            String text = name.toString();
            assertThat(VmNames.isSafe(text)).as(text).isEqualTo(byTheRule(text));
        }
    }

    @Test
    void the_edges_of_the_rule() {
        assertThat(VmNames.isSafe("a".repeat(200))).isTrue();
        assertThat(VmNames.isSafe("a".repeat(201))).isFalse();
        assertThat(VmNames.isSafe("+web.1-2_3")).isTrue();
        assertThat(VmNames.isSafe(".web")).isFalse();
        assertThat(VmNames.isSafe("-web")).isFalse();
        assertThat(VmNames.isSafe("restores")).isFalse();
        assertThat(VmNames.isSafe("web.20261121T135203Z")).isFalse();
        assertThat(VmNames.isSafe(".20261121T135203Z")).isFalse();
        assertThat(VmNames.isSafe("web.20261121T135203")).isTrue();
        assertThat(VmNames.problem("")).contains("needs a name");
    }
}
