package org.foobarstack.httpcodec.parser;

import java.util.Locale;

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
     * Splits a target whose characters the parser has already checked. Returns null when the target fits none of
     * the four forms. A fragment ("#...") is not part of a request-target (RFC 9112 §3.2); clients should not send
     * one, and when they do it is dropped here rather than refused, as most servers do.
     */
    static RequestTarget parse(String raw) {
        String target = raw;
        int hash = target.indexOf('#');
        if (hash >= 0) {
            target = target.substring(0, hash);
        }
        if (target.equals("*")) {
            return new RequestTarget(Form.ASTERISK, raw, null, null, null);
        }
        if (target.startsWith("/")) {
            return originForm(raw, null, target, Form.ORIGIN);
        }
        String lower = target.toLowerCase(Locale.ROOT);
        for (String scheme : new String[] {"http://", "https://"}) {
            if (lower.startsWith(scheme)) {
                String rest = target.substring(scheme.length());
                int end = firstOf(rest, "/?");
                String authority = rest.substring(0, end);
                // userinfo ("user@host") is deprecated in http URIs (RFC 9110 §4.2.4): drop it, keep the host
                int at = authority.lastIndexOf('@');
                if (at >= 0) {
                    authority = authority.substring(at + 1);
                }
                if (authority.isEmpty() || !HostSyntax.isValidAuthority(authority)) {
                    return null;
                }
                String pathAndQuery = rest.substring(end);
                if (pathAndQuery.isEmpty() || pathAndQuery.startsWith("?")) {
                    pathAndQuery = "/" + pathAndQuery;
                }
                return originForm(raw, authority, pathAndQuery, Form.ABSOLUTE);
            }
        }
        if (HostSyntax.isValidAuthority(target) && target.indexOf(':') > 0) {
            return new RequestTarget(Form.AUTHORITY, raw, target, null, null);
        }
        return null;
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
