package org.foobarstack.httpcodec.parser;

/**
 * Checks {@code uri-host [ ":" port ]} (RFC 3986 §3.2.2 and §3.2.3, RFC 9110 §7.2), the syntax of the Host field
 * and of the authority in absolute-form targets. The check is syntactic only: whether the name is one this server
 * serves is decided later, by the virtual hosts.
 *
 * <pre>
 *   host         = IP-literal / IPv4address / reg-name
 *   IP-literal   = "[" ( IPv6address / IPvFuture ) "]"
 *   IPv6address  = eight h16 pieces separated by ":", one "::" at most standing for a run of zero pieces,
 *                  the last two pieces possibly written as an IPv4address        h16 = 1*4HEXDIG
 *   IPvFuture    = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
 *   IPv4address  = dec-octet "." dec-octet "." dec-octet "." dec-octet           dec-octet = 0-255, no leading 0
 *   reg-name     = *( unreserved / pct-encoded / sub-delims )                    pct-encoded = "%" HEXDIG HEXDIG
 *   port         = *DIGIT
 * </pre>
 *
 * Three choices go further than the grammar's letter, each refused with its own rule:
 * <ul>
 *   <li>IPvFuture is refused even when well-formed ({@link HttpViolation#INVALID_IP_LITERAL}): no address version
 *       beyond 6 is defined, and RFC 3986 §3.2.2 asks an application that meets a version flag it does not know
 *       to answer with an error ("address mechanism not supported"). So is an IPv6 zone ID ({@code [fe80::1%25eth0]},
 *       RFC 6874): it names an interface on the client's host and is not in RFC 3986's grammar, which HTTP uses.</li>
 *   <li>A name that ends in a number but is not an IPv4address ({@code 256.1.1.1}, {@code 1.2.3},
 *       {@code 010.0.0.1}, {@code 0x7f.1}, {@code 2130706433}) is refused ({@link HttpViolation#NUMERIC_HOST}). By
 *       RFC 3986's grammar it is a reg-name, since it is not an IPv4address; but it is no DNS name (RFC 1123 §2.1:
 *       the highest-level label is alphabetic, so a host name never has the dotted-decimal form), and other
 *       programs read such strings as addresses, each its own way: inet_aton(3) takes {@code 0x7f.1} and
 *       {@code 2130706433} for 127.0.0.1 and {@code 010.0.0.1} for 8.0.0.1. A host that two programs read
 *       differently is how a check made by one is slipped past the other. Browsers (the WHATWG URL Standard) read
 *       a host that ends in a number as an IPv4 address and send it in dotted decimal, or refuse the URL, so no
 *       well-behaved client sends one.</li>
 *   <li>An empty host before a port ({@code :8080}) is refused: RFC 9110 §4.2.1 has a recipient reject an http
 *       URI with an empty host. (An entirely empty Host field is another matter, allowed by RFC 9112 §3.2; the
 *       parser does not bring it here.)</li>
 * </ul>
 */
final class HostSyntax {

    /**
     * Why an authority is refused.
     *
     * @param violation the rule broken: the caller's own violation for plain syntax, or one of the host rules
     * @param reason    what exactly is wrong, for the detail of the error
     */
    record Problem(HttpViolation violation, String reason) {
    }

    private HostSyntax() {
    }

    static boolean isValidAuthority(String value) {
        return problem(value, HttpViolation.INVALID_HOST) == null;
    }

    /**
     * The first thing wrong with {@code value}, or null when it is a valid {@code uri-host [ ":" port ]}.
     *
     * @param syntax the violation for plain syntax errors: INVALID_HOST for the Host field, INVALID_TARGET for the
     *               authority of a target
     */
    static Problem problem(String value, HttpViolation syntax) {
        String host = value;
        String port = null;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                return new Problem(HttpViolation.INVALID_IP_LITERAL, "the IP literal has no closing \"]\"");
            }
            String rest = host.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return new Problem(syntax, "after the IP literal comes something other than \":\" port");
                }
                port = rest.substring(1);
            }
            String literalProblem = ipLiteralProblem(host.substring(1, close));
            if (literalProblem != null) {
                return new Problem(HttpViolation.INVALID_IP_LITERAL, literalProblem);
            }
            return port == null || isPort(port) ? null : new Problem(syntax, "the port is not 1 to 5 digits");
        }
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            port = host.substring(colon + 1);
            host = host.substring(0, colon);
        }
        if (host.isEmpty()) {
            return new Problem(syntax, "the host is empty (RFC 9110 §4.2.1)");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == ':') {
                return new Problem(syntax, "an IPv6 address must be written in brackets, e.g. [::1]");
            }
            if (c == '%') {
                // pct-encoded = "%" HEXDIG HEXDIG (RFC 3986 §2.1)
                if (i + 2 >= host.length() || !isHex(host.charAt(i + 1)) || !isHex(host.charAt(i + 2))) {
                    return new Problem(syntax, "\"%\" is not followed by two hex digits (RFC 3986 §2.1)");
                }
                i += 2;
                continue;
            }
            // reg-name = *( unreserved / pct-encoded / sub-delims )
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=".indexOf(c) >= 0;
            if (!ok) {
                return new Problem(syntax, "the host contains \"" + c + "\", which a host name cannot");
            }
        }
        if (!isIpv4(host) && endsInNumber(host)) {
            return new Problem(HttpViolation.NUMERIC_HOST, "\"" + host + "\" ends in a number but is not an IPv4 "
                    + "address");
        }
        return port == null || isPort(port) ? null : new Problem(syntax, "the port is not 1 to 5 digits");
    }

    /** What is wrong with the text between "[" and "]", or null when it is an IPv6address. */
    private static String ipLiteralProblem(String literal) {
        if (literal.startsWith("v") || literal.startsWith("V")) {
            return isIpvFuture(literal)
                    ? "IPvFuture [" + literal + "]: this server knows no IP version but 4 and 6 (RFC 3986 §3.2.2: "
                    + "address mechanism not supported)"
                    : "[" + literal + "] is neither an IPv6 address nor IPvFuture (\"v\" HEXDIG \".\" ...)";
        }
        if (literal.indexOf('%') >= 0) {
            return "[" + literal + "]: an IPv6 zone ID (RFC 6874) names an interface of the client's host; "
                    + "RFC 3986's grammar, which HTTP uses, has none";
        }
        return isIpv6(literal) ? null : "[" + literal + "] is not an IPv6 address";
    }

    /**
     * IPv6address (RFC 3986 §3.2.2): without "::", exactly eight 16-bit pieces; with one "::", at most seven
     * around it (it stands for at least one zero piece). An IPv4address at the very end counts as two pieces.
     */
    static boolean isIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap < 0) {
            return pieces(s, true) == 8;
        }
        if (s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int before = pieces(s.substring(0, gap), false);
        int after = pieces(s.substring(gap + 2), true);
        return before >= 0 && after >= 0 && before + after <= 7;
    }

    /** The number of 16-bit pieces in {@code h16 *( ":" h16 )}, or -1 when it is not that; "" has none. */
    private static int pieces(String part, boolean mayEndInIpv4) {
        if (part.isEmpty()) {
            return 0;
        }
        String[] groups = part.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            if (mayEndInIpv4 && i == groups.length - 1 && group.indexOf('.') >= 0) {
                if (!isIpv4(group)) {
                    return -1;
                }
                count += 2;
            } else if (!group.isEmpty() && group.length() <= 4 && allHex(group)) {
                count++;
            } else {
                return -1;
            }
        }
        return count;
    }

    /** IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet, each 0-255 without a leading zero. */
    static boolean isIpv4(String s) {
        String[] octets = s.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || !allDigits(octet)
                    || (octet.length() > 1 && octet.charAt(0) == '0') || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the last label (a final "." aside) is a number: all digits, or "0x" and hex digits; the WHATWG URL
     * Standard's "ends in a number", the test by which browsers decide to read a host as an IPv4 address.
     */
    private static boolean endsInNumber(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = name.substring(name.lastIndexOf('.') + 1);
        if (last.isEmpty()) {
            return false;
        }
        if (last.length() >= 2 && last.charAt(0) == '0' && (last.charAt(1) == 'x' || last.charAt(1) == 'X')) {
            return allHex(last.substring(2));
        }
        return allDigits(last);
    }

    /** IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ) */
    private static boolean isIpvFuture(String s) {
        int dot = s.indexOf('.');
        if (dot < 2 || dot == s.length() - 1 || !allHex(s.substring(1, dot))) {
            return false;
        }
        for (int i = dot + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPort(String port) {
        return port.length() <= 5 && allDigits(port);
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean allHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isHex(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80;
    }
}
