package dev.mvmm.core.config;

import java.util.regex.Pattern;

/** Validates a probe target: an IPv4 address, an IPv6 address or a DNS host name. */
final class Hosts {

    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

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
        if (isDotted(host)) {
            if (!isIpv4(host)) {
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
            if (!isLabel(label)) {
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
                if (i != groups.length - 1 || !isIpv4(group)) {
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

    // Written out, not regular expressions: every VM's ip is checked at every start, before the JIT
    // has compiled anything. HostsTest checks these against the regular expressions they replace.

    /** {@code [0-9.]+}. */
    private static boolean isDotted(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return !host.isEmpty();
    }

    /** Four numbers 0-255 without leading zeros, joined by dots. */
    static boolean isIpv4(String text) {
        int start = 0;
        for (int part = 0; part < 4; part++) {
            int end = part < 3 ? text.indexOf('.', start) : text.length();
            if (end < 0 || !isOctet(text, start, end)) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    /** {@code 25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d}. */
    private static boolean isOctet(String text, int start, int end) {
        int length = end - start;
        if (length < 1 || length > 3 || length > 1 && text.charAt(start) == '0') {
            return false;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            value = value * 10 + c - '0';
        }
        return value <= 255;
    }

    /** A DNS label: {@code [A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?}. */
    static boolean isLabel(String label) {
        int length = label.length();
        if (length < 1 || length > 63 || label.charAt(0) == '-' || label.charAt(length - 1) == '-') {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = label.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
