package org.foobarstack.httpcodec.parser;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.httpcodec.parser.ParserHarness.parseAtEverySplit;

/**
 * What RFC 9112 §3.2, RFC 9110 §4.2 and RFC 3986 §3.2.2 forbid in a request-target and a Host field, each refused
 * with its own rule (and each request also split at every byte, as in {@link HttpRequestParserTest}); and what
 * they allow, accepted.
 */
class RequestTargetStrictnessTest {

    private static final String H = "Host: www.foobar.com\r\n";

    static Stream<Arguments> refusedTargets() {
        return Stream.of(
                // a fragment is the client's (RFC 3986 §3.5), in no form of request-target (RFC 9112 §3.2)
                Arguments.of("/page#top", HttpViolation.FRAGMENT_IN_TARGET),
                Arguments.of("/?q=1#", HttpViolation.FRAGMENT_IN_TARGET),
                Arguments.of("http://www.foobar.com/#x", HttpViolation.FRAGMENT_IN_TARGET),
                // userinfo (RFC 9110 §4.2.4)
                Arguments.of("http://user@www.foobar.com/", HttpViolation.USERINFO_IN_TARGET),
                Arguments.of("http://user:secret@www.foobar.com:8080/a", HttpViolation.USERINFO_IN_TARGET),
                Arguments.of("https://@www.foobar.com/", HttpViolation.USERINFO_IN_TARGET),
                // an empty host (RFC 9110 §4.2.1)
                Arguments.of("http:///index.html", HttpViolation.INVALID_TARGET),
                Arguments.of("http://:8080/", HttpViolation.INVALID_TARGET),
                // IP literals and numbers in the authority (RFC 3986 §3.2.2)
                Arguments.of("http://[::1/", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("http://[zz::1]/", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("http://[v1.x]/", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("http://256.1.1.1/", HttpViolation.NUMERIC_HOST),
                Arguments.of("http://www.foobar.com:80x/", HttpViolation.INVALID_TARGET));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusedTargets")
    void refusesTheTarget(String target, HttpViolation expected) {
        assertThat(parseAtEverySplit("GET " + target + " HTTP/1.1\r\n" + H + "\r\n"))
                .containsExactly("ERROR " + expected);
    }

    static Stream<Arguments> refusedHosts() {
        return Stream.of(
                Arguments.of("[::1", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[::1:8080", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[zz::1]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[1:2:3:4:5:6:7:8:9]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[1:2:3:4:5:6:7]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[1:2:3:4:5:6:7:8::]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[1::2::3]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[:::1]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[:1::2]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[12345::1]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[::1.2.3.256]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[1.2.3.4::]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[127.0.0.1]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[fe80::1%25eth0]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[v1.x]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[vF.a:b]:8080", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[v.x]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[v1.]", HttpViolation.INVALID_IP_LITERAL),
                Arguments.of("[::1]x", HttpViolation.INVALID_HOST),
                Arguments.of("[::1]:123456", HttpViolation.INVALID_HOST),
                Arguments.of("::1", HttpViolation.INVALID_HOST),
                Arguments.of(":8080", HttpViolation.INVALID_HOST),
                Arguments.of("www.foobar.com%", HttpViolation.INVALID_HOST),
                Arguments.of("www%2g.foobar.com", HttpViolation.INVALID_HOST),
                Arguments.of("user@www.foobar.com", HttpViolation.INVALID_HOST),
                // a reg-name by RFC 3986's grammar, but ending in a number and no IPv4 address (RFC 1123 §2.1)
                Arguments.of("256.1.1.1", HttpViolation.NUMERIC_HOST),
                Arguments.of("1.2.3.999:8080", HttpViolation.NUMERIC_HOST),
                Arguments.of("1.2.3", HttpViolation.NUMERIC_HOST),
                Arguments.of("1.2.3.4.5", HttpViolation.NUMERIC_HOST),
                Arguments.of("010.0.0.1", HttpViolation.NUMERIC_HOST),
                Arguments.of("127.0.0.1.", HttpViolation.NUMERIC_HOST),
                Arguments.of("0x7f.1", HttpViolation.NUMERIC_HOST),
                Arguments.of("2130706433", HttpViolation.NUMERIC_HOST),
                Arguments.of("www.foobar.123", HttpViolation.NUMERIC_HOST));
    }

    @ParameterizedTest(name = "Host: {0}: {1}")
    @MethodSource("refusedHosts")
    void refusesTheHostField(String host, HttpViolation expected) {
        assertThat(parseAtEverySplit("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n"))
                .containsExactly("ERROR " + expected);
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(strings = {"[::1]", "[::1]:8080", "[::]", "[2001:db8::1]", "[2001:DB8:0:0:0:0:0:1]",
        "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7::]", "[::2:3:4:5:6:7:8]", "[::ffff:127.0.0.1]",
        "[1:2:3:4:5:6:1.2.3.4]", "127.0.0.1", "127.0.0.1:8080", "0.0.0.0", "255.255.255.255", "www.foobar.com",
        "www.foobar.com.", "www.foobar.com:", "3com.example", "1.2.3.4.example", "xn--bcher-kva.example",
        "caf%C3%A9.example", "localhost:5300", ""})
    void acceptsTheHostField(String host) {
        String raw = "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        assertThat(parseAtEverySplit(raw)).containsExactly("GET / HTTP/1.1 NONE keep-alive body=[]");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/mail/a@b", "/?to=a@b.example", "http://www.foobar.com/a@b",
        "http://[::1]:8080/a?b", "HTTP://127.0.0.1", "http://www.foobar.com?q=1"})
    void acceptsTheTarget(String target) {
        assertThat(parseAtEverySplit("GET " + target + " HTTP/1.1\r\n" + H + "\r\n"))
                .containsExactly("GET " + target + " HTTP/1.1 NONE keep-alive body=[]");
    }

    @Test
    void anAbsoluteFormIpLiteralIsTheAuthority() {
        RequestTarget target = RequestTarget.parse("http://[::1]:8080/a?b");
        assertThat(target.form()).isEqualTo(RequestTarget.Form.ABSOLUTE);
        assertThat(target.authority()).isEqualTo("[::1]:8080");
        assertThat(target.path()).isEqualTo("/a");
        assertThat(target.query()).isEqualTo("b");
    }

    @Test
    void theErrorNamesTheRuleAndWhatWasSeen() {
        HttpRequestError fragment = errorFor("GET /page#top HTTP/1.1\r\n" + H + "\r\n");
        assertThat(fragment.status()).isEqualTo(400);
        assertThat(fragment.message()).startsWith("RFC 9112 §3.2: a fragment").contains("/page#top");

        HttpRequestError userinfo = errorFor("GET http://user@www.foobar.com/ HTTP/1.1\r\n" + H + "\r\n");
        assertThat(userinfo.message()).startsWith("RFC 9110 §4.2.4: ").contains("http://user@www.foobar.com/");

        HttpRequestError unclosed = errorFor("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n");
        assertThat(unclosed.message()).startsWith("RFC 3986 §3.2.2: ").contains("Host: [::1", "no closing");

        HttpRequestError future = errorFor("GET / HTTP/1.1\r\nHost: [v1.x]\r\n\r\n");
        assertThat(future.detail()).contains("IPvFuture", "address mechanism not supported");

        HttpRequestError numeric = errorFor("GET / HTTP/1.1\r\nHost: 256.1.1.1\r\n\r\n");
        assertThat(numeric.message()).startsWith("RFC 1123 §2.1: ").contains("\"256.1.1.1\" ends in a number");
    }

    @Test
    void theErrorCarriesTheMethodOnceItIsKnown() {
        HttpRequestError badHost = errorFor("HEAD / HTTP/1.1\r\nHost: [::1\r\n\r\n");
        assertThat(badHost.method()).isEqualTo("HEAD");
        assertThat(badHost.isHead()).isTrue();

        HttpRequestError tooLarge = errorFor("HEAD / HTTP/1.1\r\n" + H + "Content-Length: 99999999999\r\n\r\n");
        assertThat(tooLarge.violation()).isEqualTo(HttpViolation.BODY_TOO_LARGE);
        assertThat(tooLarge.isHead()).isTrue();

        HttpRequestError fragment = errorFor("GET /#x HTTP/1.1\r\n" + H + "\r\n");
        assertThat(fragment.method()).isEqualTo("GET");
        assertThat(fragment.isHead()).isFalse();

        // before the method is read there is none, and none is left over from the request before
        HttpRequestError bareLf = errorFor("HEAD / HTTP/1.1\r\n" + H + "\r\nHEAD / HTTP/1.1\n");
        assertThat(bareLf.violation()).isEqualTo(HttpViolation.BARE_LF);
        assertThat(bareLf.method()).isNull();
        assertThat(bareLf.isHead()).isFalse();
    }

    private static HttpRequestError errorFor(String raw) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestParser(ParserLimits.defaults()));
        channel.writeInbound(Unpooled.wrappedBuffer(raw.getBytes(StandardCharsets.ISO_8859_1)));
        List<HttpRequestError> errors = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            if (msg instanceof HttpRequestError error) {
                errors.add(error);
            }
            ReferenceCountUtil.release(msg);
        }
        channel.finishAndReleaseAll();
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }
}
