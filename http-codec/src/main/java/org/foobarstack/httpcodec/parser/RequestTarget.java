package org.foobarstack.httpcodec.parser;

import java.util.Locale;

import static org.foobarstack.httpcodec.parser.MessageSyntax.Rejection;
import static org.foobarstack.httpcodec.parser.MessageSyntax.printable;

/**
 * The request-target of a request line, split into its parts (RFC 9112 §3.2). Four forms exist:
 *
 * <pre>
 *   origin-form     /where?q=1                   the usual one
 *   absolute-form   http://www.foobar.com/where  sent to proxies; servers MUST accept it too (§3.2.2)
 *   authority-form  www.foobar.com:443           only with CONNECT (§3.2.3)
 *   asterisk-form   *                            only with OPTIONS (§3.2.4)
 * </pre>
 *
 * @param form      which of the four
 * @param raw       the target exactly as sent
 * @param authority host[:port] of an absolute-form or authority-form target, else null
 * @param path      the still percent-encoded path ("/" when an absolute-form target has none), or null
 * @param query     the query without its "?", or null when there is none
 */
public record RequestTarget(Form form, String raw, String authority, String path, String query) {

    public enum Form { ORIGIN, ABSOLUTE, AUTHORITY, ASTERISK }

    /**
     * Splits a target whose characters the parser has already checked, or refuses it with the rule it breaks:
     *
     * <ul>
     *   <li>a fragment ("#..."), anywhere: {@link HttpViolation#FRAGMENT_IN_TARGET}. None of the four forms has
     *       one (RFC 9112 §3.2); a fragment is resolved by the client and never sent (RFC 3986 §3.5);</li>
     *   <li>in the absolute form, userinfo before the host ({@code http://user@host/}):
     *       {@link HttpViolation#USERINFO_IN_TARGET} (RFC 9110 §4.2.4), and an empty host:
     *       {@link HttpViolation#INVALID_TARGET} (RFC 9110 §4.2.1);</li>
     *   <li>an authority that is not {@code uri-host [ ":" port ]}: the rule {@link HostSyntax} names, e.g.
     *       {@link HttpViolation#INVALID_IP_LITERAL} for {@code http://[::1/};</li>
     *   <li>anything that fits none of the four forms: {@link HttpViolation#INVALID_TARGET}.</li>
     * </ul>
     * Whether the form suits the method (asterisk only with OPTIONS, authority only with CONNECT) is the parser's
     * decision, not this one's.
     */
    static RequestTarget parse(String raw) {
        if (raw.indexOf('#') >= 0) {
            throw new Rejection(HttpViolation.FRAGMENT_IN_TARGET, printable(raw));
        }
        if (raw.equals("*")) {
            return new RequestTarget(Form.ASTERISK, raw, null, null, null);
        }
        if (raw.startsWith("/")) {
            return originForm(raw, null, raw, Form.ORIGIN);
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        for (String scheme : new String[] {"http://", "https://"}) {
            if (lower.startsWith(scheme)) {
                String rest = raw.substring(scheme.length());
                int end = firstOf(rest, "/?");
                String authority = rest.substring(0, end);
                if (authority.indexOf('@') >= 0) {
                    throw new Rejection(HttpViolation.USERINFO_IN_TARGET, printable(raw));
                }
                if (authority.isEmpty()) {
                    throw new Rejection(HttpViolation.INVALID_TARGET,
                            printable(raw) + ": no host (RFC 9110 §4.2.1: an http URI with an empty host is invalid)");
                }
                HostSyntax.Problem problem = HostSyntax.problem(authority, HttpViolation.INVALID_TARGET);
                if (problem != null) {
                    throw new Rejection(problem.violation(), printable(raw) + ": " + problem.reason());
                }
                String pathAndQuery = rest.substring(end);
                if (pathAndQuery.isEmpty() || pathAndQuery.startsWith("?")) {
                    pathAndQuery = "/" + pathAndQuery;
                }
                return originForm(raw, authority, pathAndQuery, Form.ABSOLUTE);
            }
        }
        if (HostSyntax.isValidAuthority(raw) && raw.indexOf(':') > 0) {
            return new RequestTarget(Form.AUTHORITY, raw, raw, null, null);
        }
        throw new Rejection(HttpViolation.INVALID_TARGET, printable(raw));
    }

    private static RequestTarget originForm(String raw, String authority, String pathAndQuery, Form form) {
        int question = pathAndQuery.indexOf('?');
        String path = question < 0 ? pathAndQuery : pathAndQuery.substring(0, question);
        String query = question < 0 ? null : pathAndQuery.substring(question + 1);
        return new RequestTarget(form, raw, authority, path, query);
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    /** Path and query as an origin-form target, what CGI calls REQUEST_URI. */
    public String originForm() {
        if (path == null) {
            return raw;
        }
        return query == null ? path : path + "?" + query;
    }
}
