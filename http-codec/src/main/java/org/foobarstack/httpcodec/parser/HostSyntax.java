package org.foobarstack.httpcodec.parser;

/**
 * Checks {@code uri-host [ ":" port ]} (RFC 3986 §3.2.2, RFC 9110 §7.2), the syntax of the Host field and of the
 * authority in absolute-form targets. The check is syntactic only: whether the name is one this server serves is
 * decided later, by the virtual hosts.
 */
final class HostSyntax {

    private HostSyntax() {
    }

    static boolean isValidAuthority(String value) {
        String host = value;
        String port = null;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                return false;
            }
            String literal = host.substring(1, close);
            for (int i = 0; i < literal.length(); i++) {
                char c = literal.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            String rest = host.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return false;
                }
                port = rest.substring(1);
            }
            return port == null || isPort(port);
        }
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            port = host.substring(colon + 1);
            host = host.substring(0, colon);
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            // reg-name = *( unreserved / pct-encoded / sub-delims )
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return port == null || isPort(port);
    }

    private static boolean isPort(String port) {
        if (port.length() > 5) {
            return false;
        }
        for (int i = 0; i < port.length(); i++) {
            if (port.charAt(i) < '0' || port.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
