package org.foobarstack.http.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One line per request in nginx's "combined" format, plus the request time in seconds:
 *
 * <pre>
 * 127.0.0.1 - - [22/Nov/2026:10:15:32 +0000] "GET / HTTP/1.1" 200 5120 "-" "curl/7.88.1" 0.002
 * </pre>
 *
 * that is {@code $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
 * "$http_user_agent" $request_time}. Lines go to the SLF4J logger {@code org.foobarstack.http.access} at INFO,
 * so they can be routed to a file of their own.
 */
public final class AccessLog {

    private static final DateTimeFormatter TIME_LOCAL =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);

    private final Logger log = LoggerFactory.getLogger("org.foobarstack.http.access");
    private final String serverName;

    public AccessLog(String serverName) {
        this.serverName = serverName;
    }

    public boolean enabled() {
        return log.isInfoEnabled();
    }

    public void log(InetSocketAddress remote, String requestLine, int status, long bodyBytes, String referer,
                    String userAgent, long startNanos) {
        if (!log.isInfoEnabled()) {
            return;
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        log.info(line(remote, requestLine, status, bodyBytes, referer, userAgent, seconds));
    }

    String line(InetSocketAddress remote, String requestLine, int status, long bodyBytes, String referer,
                String userAgent, double seconds) {
        String addr = remote == null ? "-" : remote.getAddress().getHostAddress();
        return addr + " - - [" + TIME_LOCAL.format(ZonedDateTime.now(ZoneId.systemDefault())) + "] \""
                + escape(requestLine) + "\" " + status + " " + bodyBytes + " \"" + escape(orDash(referer))
                + "\" \"" + escape(orDash(userAgent)) + "\" " + String.format(Locale.ROOT, "%.3f", seconds);
    }

    public String serverName() {
        return serverName;
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** Like nginx, escape quotes, backslashes and non-printable bytes so that one request is one parsable line. */
    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7F) {
                sb.append(String.format("\\x%02X", (int) c & 0xFF));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
