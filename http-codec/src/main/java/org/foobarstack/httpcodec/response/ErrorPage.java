package org.foobarstack.httpcodec.response;

/**
 * The small HTML page sent with every error status: what happened, and which rule says so, so that a learner who
 * gets a 400 from curl sees why without reading server logs.
 */
public final class ErrorPage {

    private ErrorPage() {
    }

    /**
     * @param status the status
     * @param detail what went wrong, in a sentence; may be null
     * @param rule   the RFC section that decides, e.g. "RFC 9112 §6.3"; may be null
     */
    public static String html(HttpStatus status, String detail, String rule) {
        return html(status, detail, rule, "foobar-stack web server");
    }

    /** The same page, signed by another server (the admin server, the load balancer). */
    public static String html(HttpStatus status, String detail, String rule, String signature) {
        StringBuilder sb = new StringBuilder(512);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>")
                .append(status.code()).append(' ').append(escape(status.reason()))
                .append("</title></head>\n<body>\n<h1>").append(status.code()).append(' ')
                .append(escape(status.reason())).append("</h1>\n");
        if (detail != null && !detail.isEmpty()) {
            sb.append("<p>").append(escape(detail)).append("</p>\n");
        }
        if (rule != null && !rule.isEmpty()) {
            sb.append("<p>Rule: <code>").append(escape(rule)).append("</code></p>\n");
        }
        sb.append("<hr><p>").append(escape(signature)).append("</p>\n</body>\n</html>\n");
        return sb.toString();
    }

    /** Escapes the five characters that mean something in HTML text and attributes. */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
