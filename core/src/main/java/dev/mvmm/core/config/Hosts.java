package dev.mvmm.core.config;

import java.util.regex.Pattern;

/** Validates a probe target: an IPv4 address, an IPv6 address or a DNS host name. */
final class Hosts {

    private static final Pattern DOTTED = Pattern.compile("[0-9.]+");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private Hosts() {
    }

    static String validate(String text) {
        String host = text.strip();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("expects an IPv4 address, an IPv6 address or a host name");
        }
        if (DOTTED.matcher(host).matches()) {
            if (!IPV4.matcher(host).matches()) {
                throw new IllegalArgumentException(Shown.quote(text) + " is not a valid IPv4 address");
            }
            return host;
        }
        if (host.indexOf(':') >= 0) {
            if (!IPV6_CHARS.matcher(host).matches() || !isIpv6(host)) {
                throw new IllegalArgumentException(Shown.quote(text) + " is not a valid IPv6 address");
            }
            return host;
        }
        if (host.length() > 253) {
            throw new IllegalArgumentException("host name " + Shown.quote(text) + " is longer than 253 characters");
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException(Shown.quote(text)
                        + " is not a valid host name or IP address");
            }
        }
        return host;
    }

    private static boolean isIpv6(String host) {
        String address = host.contains("%") ? host.substring(0, host.indexOf('%')) : host;
        if (address.contains(":::") || address.startsWith(":") && !address.startsWith("::")
                || address.endsWith(":") && !address.endsWith("::")) {
            return false;
        }
        int doubleColons = address.split("::", -1).length - 1;
        if (doubleColons > 1) {
            return false;
        }
        String[] groups = address.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            if (group.isEmpty()) {
                continue;
            }
            if (group.contains(".")) {
                if (i != groups.length - 1 || !IPV4.matcher(group).matches()) {
                    return false;
                }
                count += 2;
            } else if (group.length() > 4) {
                return false;
            } else {
                count++;
            }
        }
        return doubleColons == 1 ? count < 8 : count == 8;
    }
}
