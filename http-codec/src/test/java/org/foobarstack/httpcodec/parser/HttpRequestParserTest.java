package org.foobarstack.httpcodec.parser;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.httpcodec.parser.ParserHarness.parseAtEverySplit;

/**
 * Bytes in, requests out: every framing rule of the parser, each request also split at every byte boundary and
 * fed one byte at a time, which must not change the outcome.
 */
class HttpRequestParserTest {

    private static final String H = "Host: www.foobar.com\r\n";

    // ------------------------------------------------------------------ accepted requests

    @Test
    void simpleGet() {
        assertThat(parseAtEverySplit("GET / HTTP/1.1\r\n" + H + "\r\n"))
                .containsExactly("GET / HTTP/1.1 NONE keep-alive body=[]");
    }

    @Test
    void emptyLinesBeforeTheRequestLineAreIgnored() {
        assertThat(parseAtEverySplit("\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n"))
                .containsExactly("GET / HTTP/1.1 NONE keep-alive body=[]");
    }

    @Test
    void contentLengthBody() {
        assertThat(parseAtEverySplit("POST /api/messages HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\nhello"))
                .containsExactly("POST /api/messages HTTP/1.1 CONTENT_LENGTH(5) keep-alive body=[hello]");
    }

    @Test
    void contentLengthWithLeadingZerosAndSurroundingWhitespace() {
        assertThat(parseAtEverySplit("POST / HTTP/1.1\r\n" + H + "Content-Length: \t003 \r\n\r\nabc"))
                .containsExactly("POST / HTTP/1.1 CONTENT_LENGTH(3) keep-alive body=[abc]");
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailers() {
        String raw = "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n"
                + "6 ; quoted=\"a \\\"b\\\" c\" ; flag\r\n world\r\n"
                + "000\r\nTrailer-One: 1\r\n\r\n";
        assertThat(parseAtEverySplit(raw)).containsExactly("POST / HTTP/1.1 CHUNKED keep-alive body=[hello world]");
    }

    @Test
    void pipelinedRequestsComeOutInOrder() {
        String raw = "GET /a HTTP/1.1\r\n" + H + "\r\n"
                + "POST /b HTTP/1.1\r\n" + H + "Content-Length: 2\r\n\r\nhi"
                + "GET /c HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n";
        assertThat(parseAtEverySplit(raw)).containsExactly(
                "GET /a HTTP/1.1 NONE keep-alive body=[]",
                "POST /b HTTP/1.1 CONTENT_LENGTH(2) keep-alive body=[hi]",
                "GET /c HTTP/1.1 NONE close body=[]");
    }

    @Test
    void nothingIsReadAfterARequestThatClosesTheConnection() {
        String raw = "GET /a HTTP/1.1\r\n" + H + "Connection: close\r\n\r\nGET /b HTTP/1.1\r\n" + H + "\r\n";
        assertThat(parseAtEverySplit(raw)).containsExactly("GET /a HTTP/1.1 NONE close body=[]");
    }

    @Test
    void http10ClosesUnlessKeepAliveIsAsked() {
        assertThat(parseAtEverySplit("GET / HTTP/1.0\r\n\r\n")).containsExactly("GET / HTTP/1.0 NONE close body=[]");
        assertThat(parseAtEverySplit("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n"))
                .containsExactly("GET / HTTP/1.0 NONE keep-alive body=[]", "GET /2 HTTP/1.0 NONE close body=[]");
    }

    @Test
    void absoluteFormTargetIsAccepted() {
        List<String> out = parseAtEverySplit("GET http://www.foobar.com:8080/style.css?v=1 HTTP/1.1\r\n" + H + "\r\n");
        assertThat(out).containsExactly("GET http://www.foobar.com:8080/style.css?v=1 HTTP/1.1 NONE keep-alive body=[]");
        RequestTarget target = RequestTarget.parse("http://www.foobar.com:8080/style.css?v=1");
        assertThat(target.form()).isEqualTo(RequestTarget.Form.ABSOLUTE);
        assertThat(target.authority()).isEqualTo("www.foobar.com:8080");
        assertThat(target.path()).isEqualTo("/style.css");
        assertThat(target.query()).isEqualTo("v=1");
    }

    @Test
    void asteriskFormOnlyWithOptions() {
        assertThat(parseAtEverySplit("OPTIONS * HTTP/1.1\r\n" + H + "\r\n"))
                .containsExactly("OPTIONS * HTTP/1.1 NONE keep-alive body=[]");
        assertThat(parseAtEverySplit("GET * HTTP/1.1\r\n" + H + "\r\n"))
                .containsExactly("ERROR " + HttpViolation.INVALID_TARGET);
    }

    @Test
    void expect100ContinueIsReported() {
        assertThat(parseAtEverySplit("PUT / HTTP/1.1\r\n" + H + "Expect: 100-continue\r\nContent-Length: 1\r\n\r\nx"))
                .containsExactly("PUT / HTTP/1.1 CONTENT_LENGTH(1) keep-alive expect-continue body=[x]");
    }

    @Test
    void obsTextInAFieldValueIsAccepted() {
        String raw = "GET / HTTP/1.1\r\n" + H + "X-City: D\u00fcsseldorf\r\n\r\n";
        assertThat(parseAtEverySplit(raw)).containsExactly("GET / HTTP/1.1 NONE keep-alive body=[]");
        // the byte 0xFC reaches the application as the field value, read as ISO-8859-1 (RFC 9110 §5.5)
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestParser(ParserLimits.defaults()));
        channel.writeInbound(Unpooled.wrappedBuffer(raw.getBytes(StandardCharsets.ISO_8859_1)));
        Object first = channel.readInbound();
        assertThat(first).isInstanceOf(HttpRequestHead.class);
        assertThat(((HttpRequestHead) first).fields().get("X-City")).isEqualTo("D\u00fcsseldorf");
        channel.finishAndReleaseAll();
    }

    // ------------------------------------------------------------------ a TLS handshake on the plain port

    /** A real ClientHello: the first flight the JDK's SSLEngine wraps in client mode. */
    private static byte[] clientHello() throws Exception {
        javax.net.ssl.SSLEngine engine = javax.net.ssl.SSLContext.getDefault().createSSLEngine("www.foobar.com", 8080);
        engine.setUseClientMode(true);
        engine.beginHandshake();
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(java.nio.ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    @Test
    void aTlsClientHelloIsRefusedAsATlsHandshakeWholeOrByteByByte() throws Exception {
        byte[] hello = clientHello();
        assertThat(hello[0]).isEqualTo((byte) 0x16);
        assertThat(ParserHarness.parse(ParserLimits.defaults(), hello))
                .containsExactly("ERROR " + HttpViolation.TLS_HANDSHAKE_ON_PLAIN_PORT);
        byte[][] single = new byte[hello.length][];
        for (int i = 0; i < hello.length; i++) {
            single[i] = new byte[] {hello[i]};
        }
        assertThat(ParserHarness.parse(ParserLimits.defaults(), single))
                .containsExactly("ERROR " + HttpViolation.TLS_HANDSHAKE_ON_PLAIN_PORT);
        assertThat(HttpViolation.TLS_HANDSHAKE_ON_PLAIN_PORT.toString())
                .isEqualTo("RFC 8446 §5.1: a TLS handshake sent to the plain HTTP port: use http:// here, "
                        + "or https:// and the HTTPS port");
    }

    @Test
    void aByte0x16NotFollowedByATlsVersionIsAnOrdinaryBadRequestLine() {
        assertThat(parseAtEverySplit("\u0016\u0004\u0001 / HTTP/1.1\r\n" + H + "\r\n"))
                .containsExactly("ERROR " + HttpViolation.INVALID_METHOD);
    }

    // ------------------------------------------------------------------ rejected requests: one case per rule

    static Stream<Arguments> rejections() {
        return Stream.of(
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                        HttpViolation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                        HttpViolation.MULTIPLE_CONTENT_LENGTHS),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 4 2\r\n\r\n",
                        HttpViolation.INVALID_CONTENT_LENGTH),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n",
                        HttpViolation.INVALID_CONTENT_LENGTH),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length:\r\n\r\n",
                        HttpViolation.INVALID_CONTENT_LENGTH),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 100000000000000000000000\r\n\r\n",
                        HttpViolation.INVALID_CONTENT_LENGTH),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n",
                        HttpViolation.CHUNKED_NOT_LAST),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: identity\r\n\r\n",
                        HttpViolation.CHUNKED_NOT_LAST),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                        HttpViolation.CHUNKED_TWICE),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n",
                        HttpViolation.UNKNOWN_TRANSFER_CODING),
                Arguments.of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
                        HttpViolation.TRANSFER_ENCODING_IN_HTTP_1_0),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n1000000000000000\r\n",
                        HttpViolation.CHUNK_SIZE_OVERFLOW),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
                        HttpViolation.INVALID_CHUNK_SIZE),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3;\r\nabc\r\n0\r\n\r\n",
                        HttpViolation.INVALID_CHUNK_EXTENSION),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n",
                        HttpViolation.INVALID_CHUNK_EXTENSION),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
                        HttpViolation.MISSING_CRLF_AFTER_CHUNK),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-Folded: a\r\n b\r\n\r\n",
                        HttpViolation.OBSOLETE_LINE_FOLDING),
                Arguments.of("GET / HTTP/1.1\r\n Host: www.foobar.com\r\n\r\n",
                        HttpViolation.WHITESPACE_AFTER_START_LINE),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-Bad: a\rb\r\n\r\n", HttpViolation.BARE_CR),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-Bad: a\nX-Other: b\r\n\r\n", HttpViolation.BARE_LF),
                Arguments.of("GET / HTTP/1.1\n" + H + "\r\n", HttpViolation.BARE_LF),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-Bad : a\r\n\r\n", HttpViolation.WHITESPACE_BEFORE_COLON),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X(Bad): a\r\n\r\n", HttpViolation.INVALID_FIELD_NAME),
                Arguments.of("GET / HTTP/1.1\r\n" + H + ": a\r\n\r\n", HttpViolation.INVALID_FIELD_NAME),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-Bad: a\u0000b\r\n\r\n", HttpViolation.INVALID_FIELD_VALUE),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-Bad: a\u000cb\r\n\r\n", HttpViolation.INVALID_FIELD_VALUE),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "NoColon\r\n\r\n", HttpViolation.MISSING_COLON),
                Arguments.of("GET / HTTP/1.1\r\n\r\n", HttpViolation.MISSING_HOST),
                Arguments.of("GET / HTTP/1.1\r\n" + H + H + "\r\n", HttpViolation.MULTIPLE_HOSTS),
                Arguments.of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", HttpViolation.INVALID_HOST),
                Arguments.of("GET / HTTP/2.0\r\n" + H + "\r\n", HttpViolation.UNSUPPORTED_VERSION),
                Arguments.of("GET / HTTP/0.9\r\n" + H + "\r\n", HttpViolation.UNSUPPORTED_VERSION),
                Arguments.of("GET / HTTP/1.1x\r\n" + H + "\r\n", HttpViolation.INVALID_VERSION),
                Arguments.of("GET / RTSP/1.0\r\n" + H + "\r\n", HttpViolation.INVALID_VERSION),
                Arguments.of("GET /\r\n\r\n", HttpViolation.MALFORMED_REQUEST_LINE),
                Arguments.of("GET  / HTTP/1.1\r\n" + H + "\r\n", HttpViolation.MALFORMED_REQUEST_LINE),
                Arguments.of("G(T / HTTP/1.1\r\n" + H + "\r\n", HttpViolation.INVALID_METHOD),
                Arguments.of("BREW /pot HTTP/1.1\r\n" + H + "\r\n", HttpViolation.UNKNOWN_METHOD),
                Arguments.of("CONNECT www.foobar.com:443 HTTP/1.1\r\n" + H + "\r\n", HttpViolation.CONNECT_NOT_SUPPORTED),
                Arguments.of("GET /caf\u00e9 HTTP/1.1\r\n" + H + "\r\n", HttpViolation.INVALID_TARGET),
                Arguments.of("GET www.foobar.com:80 HTTP/1.1\r\n" + H + "\r\n", HttpViolation.INVALID_TARGET),
                Arguments.of("PUT / HTTP/1.1\r\n" + H + "Expect: teapot\r\n\r\n", HttpViolation.UNSUPPORTED_EXPECTATION));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rejections")
    void rejectsWithTheRuleItBreaks(String raw, HttpViolation expected) {
        List<String> out = parseAtEverySplit(raw);
        assertThat(out).last().isEqualTo("ERROR " + expected);
    }

    @Test
    void violationsCarryTheirStatusAndRule() {
        assertThat(HttpViolation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING.status()).isEqualTo(400);
        assertThat(HttpViolation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING.toString())
                .isEqualTo("RFC 9112 §6.3: both Content-Length and Transfer-Encoding");
        assertThat(HttpViolation.UNKNOWN_TRANSFER_CODING.status()).isEqualTo(501);
        assertThat(HttpViolation.UNSUPPORTED_VERSION.status()).isEqualTo(505);
    }

    // ------------------------------------------------------------------ limits

    private static final ParserLimits SMALL = new ParserLimits(64, 256, 5, 100);

    @Test
    void requestLineLongerThanTheLimitIs414() {
        String longTarget = "/" + "a".repeat(100);
        assertThat(parseAtEverySplit(SMALL, "GET " + longTarget + " HTTP/1.1\r\n" + H + "\r\n"))
                .containsExactly("ERROR " + HttpViolation.REQUEST_LINE_TOO_LONG);
        // refused before its end arrives: a client cannot make the server buffer an endless line
        assertThat(ParserHarness.parse(SMALL, ("GET " + longTarget).getBytes()))
                .containsExactly("ERROR " + HttpViolation.REQUEST_LINE_TOO_LONG);
    }

    @Test
    void aStrayCrIsRefusedForTheSameReasonHoweverTheBytesAreCut() {
        // the first CR or LF decides: here a CR followed by X, whatever comes after it (fuzz/findings)
        assertThat(parseAtEverySplit("GET / HTTP/1.1\rX\n")).containsExactly("ERROR " + HttpViolation.BARE_CR);
        String strayCrThenLongLine = "GET /\rX" + "a".repeat(100);
        assertThat(parseAtEverySplit(SMALL, strayCrThenLongLine)).containsExactly("ERROR " + HttpViolation.BARE_CR);
        // a line already too long when its CR arrives is too long, whatever follows the CR
        String longThenCr = "GET /" + "a".repeat(70) + "\rX";
        assertThat(parseAtEverySplit(SMALL, longThenCr))
                .containsExactly("ERROR " + HttpViolation.REQUEST_LINE_TOO_LONG);
    }

    @Test
    void headerSectionLargerThanTheLimitIs431() {
        String big = "X-Big: " + "b".repeat(300) + "\r\n";
        assertThat(parseAtEverySplit(SMALL, "GET / HTTP/1.1\r\n" + H + big + "\r\n"))
                .containsExactly("ERROR " + HttpViolation.HEADER_SECTION_TOO_LARGE);
    }

    @Test
    void moreFieldsThanTheLimitIs431() {
        String fields = "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n";
        assertThat(parseAtEverySplit(SMALL, "GET / HTTP/1.1\r\n" + H + fields + "\r\n"))
                .containsExactly("ERROR " + HttpViolation.TOO_MANY_FIELDS);
        // exactly at the limit: five field lines, Host last, parsed as a request
        assertThat(parseAtEverySplit(SMALL, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n" + H + "\r\n"))
                .containsExactly("GET / HTTP/1.1 NONE keep-alive body=[]");
    }

    @Test
    void bodyLargerThanTheLimitIs413ForBothFramings() {
        assertThat(parseAtEverySplit(SMALL, "POST / HTTP/1.1\r\n" + H + "Content-Length: 101\r\n\r\n"))
                .containsExactly("ERROR " + HttpViolation.BODY_TOO_LARGE);
        String chunks = "40\r\n" + "x".repeat(64) + "\r\n40\r\n" + "y".repeat(64) + "\r\n0\r\n\r\n";
        List<String> out = parseAtEverySplit(SMALL,
                "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n" + chunks);
        assertThat(out).last().isEqualTo("ERROR " + HttpViolation.BODY_TOO_LARGE);
    }

    @Test
    void trailersCountAgainstTheHeaderLimit() {
        String trailer = "T: " + "t".repeat(300) + "\r\n";
        List<String> out = parseAtEverySplit(SMALL,
                "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n" + trailer + "\r\n");
        assertThat(out).last().isEqualTo("ERROR " + HttpViolation.HEADER_SECTION_TOO_LARGE);
    }

    @Test
    void afterARejectionNothingMoreIsParsed() {
        assertThat(ParserHarness.parse("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n"))
                .containsExactly("ERROR " + HttpViolation.MISSING_HOST);
    }

    // ------------------------------------------------------------------ printing a head

    @Test
    void aHeadPrintsAsItIsSentOnTheWire() {
        HttpRequestHead head = new HttpRequestHead("POST", RequestTarget.parse("/api/messages?page=2"),
                HttpVersion.HTTP_1_1, HttpFields.of(List.of(new HttpFields.Field("host", "www.foobar.com"),
                        new HttpFields.Field("content-length", "5"))), BodyFraming.CONTENT_LENGTH, 5, true, false);

        assertThat(head).hasToString("POST /api/messages?page=2 HTTP/1.1\r\n"
                + "host: www.foobar.com\r\ncontent-length: 5\r\n\r\n");
    }

    @Test
    void aCapturedHeadPrintsItsBytesAsTheyArrived() {
        String wire = "GET / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n";
        HttpRequestHead head = new HttpRequestHead("GET", RequestTarget.parse("/"), HttpVersion.HTTP_1_1,
                HttpFields.of(List.of(new HttpFields.Field("host", "www.foobar.com"))), BodyFraming.NONE, -1, true,
                false, wire.getBytes(StandardCharsets.ISO_8859_1), 1);

        assertThat(head).hasToString(wire);
    }
}
