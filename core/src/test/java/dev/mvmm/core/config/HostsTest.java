package dev.mvmm.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Probe targets; the address and label checks against the regular expressions they replaced. */
class HostsTest {

    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private static String random(Random random, String alphabet, int longest) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(longest + 1);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    @Test
    void ipv4_addresses_as_the_regular_expression_has_them() {
        Random random = new Random(20_261_122L);
        for (int n = 0; n < 200_000; n++) {
            String text = n % 2 == 0 ? random(random, "0123456789.", 16)
                    : random.nextInt(300) + "." + random.nextInt(300) + "." + random(random, "0125.", 3) + "."
                            + random(random, "01259", 4);
            assertThat(Hosts.isIpv4(text)).as(text).isEqualTo(IPV4.matcher(text).matches());
        }
        assertThat(Hosts.isIpv4("255.255.255.255")).isTrue();
        assertThat(Hosts.isIpv4("256.1.1.1")).isFalse();
        assertThat(Hosts.isIpv4("01.1.1.1")).isFalse();
    }

    @Test
    void host_name_labels_as_the_regular_expression_has_them() {
        Random random = new Random(20_261_123L);
        for (int n = 0; n < 200_000; n++) {
            String text = random(random, "aZ09-_.é", n % 10 == 0 ? 70 : 6);
            assertThat(Hosts.isLabel(text)).as(text).isEqualTo(LABEL.matcher(text).matches());
        }
    }

    @Test
    void a_dotted_value_that_is_no_address_is_refused_as_one() {
        assertThat(Hosts.validate(" 192.168.1.25 ")).isEqualTo("192.168.1.25");
        assertThatThrownBy(() -> Hosts.validate("192.168.1")).hasMessageContaining("not a valid IPv4 address");
        assertThatThrownBy(() -> Hosts.validate("1.2.3.4.")).hasMessageContaining("not a valid IPv4 address");
        assertThat(Hosts.validate("::ffff:10.0.0.1")).isEqualTo("::ffff:10.0.0.1");
        assertThatThrownBy(() -> Hosts.validate("::ffff:10.0.0.256")).hasMessageContaining("not a valid IPv6");
        assertThat(Hosts.validate("web-1.example.org")).isEqualTo("web-1.example.org");
        assertThatThrownBy(() -> Hosts.validate("web_1.example.org")).hasMessageContaining("not a valid host name");
    }
}
