package org.foobarstack.lb.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Location a browser is sent to from plain HTTP, for the requests it may send: the same host and path, the
 * scheme https, the HTTPS port unless it is 443.
 */
class HttpsRedirectTest {

    @Test
    void theHostKeepsItsNameAndLosesThePlainPort() {
        assertThat(location("GET /news?page=2 HTTP/1.1\r\nHost: www.foobar.com:8080\r\n\r\n", 8443))
                .isEqualTo("https://www.foobar.com:8443/news?page=2");
    }

    @Test
    void port443IsLeftOutAsHttpsDefault() {
        assertThat(location("GET /news HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n", 443))
                .isEqualTo("https://www.foobar.com/news");
    }

    @Test
    void anIpv6HostStaysInBrackets() {
        assertThat(location("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 8443)).isEqualTo("https://[::1]:8443/");
    }

    @Test
    void anAbsoluteFormTargetNamesTheHost() {
        assertThat(location("GET http://www.foobar.com:8080/a?b=c HTTP/1.1\r\nHost: other\r\n\r\n", 8443))
                .isEqualTo("https://www.foobar.com:8443/a?b=c");
    }

    @Test
    void anHttp10RequestWithoutHostIsSentToTheAddressItConnectedTo() {
        assertThat(location("GET /old HTTP/1.0\r\n\r\n", 8443)).isEqualTo("https://127.0.0.1:8443/old");
    }

    private static String location(String request, int httpsPort) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestParser(ParserLimits.defaults()));
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        HttpRequestHead head = channel.readInbound();
        channel.finishAndReleaseAll();
        return HttpsRedirect.location(head, "127.0.0.1", httpsPort);
    }
}
