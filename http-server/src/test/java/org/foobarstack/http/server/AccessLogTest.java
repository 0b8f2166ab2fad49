package org.foobarstack.http.server;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The access log line: nginx's combined format plus the request time, one parsable line per request. */
class AccessLogTest {

    @Test
    void combinedFormatPlusRequestTime() {
        String line = new AccessLog("web-1").line(new InetSocketAddress("127.0.0.1", 50000),
                "GET /index.html HTTP/1.1", 200, 4125, null, "curl/7.88.1", 0.0021);
        assertThat(line).matches("127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}] "
                + "\"GET /index.html HTTP/1.1\" 200 4125 \"-\" \"curl/7.88.1\" 0\\.002");
    }

    @Test
    void quotesAndControlCharactersCannotBreakTheLine() {
        String line = new AccessLog("web-1").line(new InetSocketAddress("127.0.0.1", 1), "GET / HTTP/1.1", 200, 0,
                "x\"y", "evil\nagent", 0.5);
        assertThat(line).contains("\"x\\x22y\"").contains("\"evil\\x0Aagent\"").doesNotContain("\n");
    }
}
