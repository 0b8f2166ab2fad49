package org.foobarstack.httpcodec.parser;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bytes in, responses out: the framing decision of RFC 9112 §6.3 for responses, the status line, incomplete
 * messages; each response also split at every byte boundary and fed one byte at a time, which must not change the
 * outcome.
 */
class HttpResponseParserTest {

    // ------------------------------------------------------------------ framing (RFC 9112 §6.3)

    @Test
    void contentLengthBody() {
        assertThat(parseAtEverySplit(List.of("GET"), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
                .containsExactly("200 OK HTTP/1.1 CONTENT_LENGTH(5) keep-alive body=[hello]");
    }

    @Test
    void chunkedBodyWithTrailers() {
        String raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
        assertThat(parseAtEverySplit(List.of("GET"), raw))
                .containsExactly("200 OK HTTP/1.1 CHUNKED keep-alive body=[hello world]");
    }

    @Test
    void noLengthMeansTheBodyRunsUntilTheServerCloses() {
        assertThat(parseAtEverySplit(List.of("GET"), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it"))
                .containsExactly("200 OK HTTP/1.1 UNTIL_CLOSE close body=[all of it]");
    }

    @Test
    void aFinalCodingOtherThanChunkedAlsoRunsUntilClose() {
        assertThat(parseAtEverySplit(List.of("GET"), "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz"))
                .containsExactly("200 OK HTTP/1.1 UNTIL_CLOSE close body=[zz]");
    }

    @Test
    void theAnswerToHeadHasNoBodyWhateverItsContentLengthSays() {
        String raw = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        assertThat(parseAtEverySplit(List.of("HEAD", "GET"), raw)).containsExactly(
                "200 OK HTTP/1.1 NONE keep-alive body=[]",
                "200 OK HTTP/1.1 CONTENT_LENGTH(2) keep-alive body=[ok]");
    }

    @ParameterizedTest
    @CsvSource({"204 No Content", "304 Not Modified"})
    void noContentAndNotModifiedHaveNoBody(String statusAndReason) {
        String raw = "HTTP/1.1 " + statusAndReason + "\r\nContent-Length: 10\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
        assertThat(parseAtEverySplit(List.of("GET", "GET"), raw)).containsExactly(
                statusAndReason + " HTTP/1.1 NONE keep-alive body=[]",
                "200 OK HTTP/1.1 CONTENT_LENGTH(1) keep-alive body=[x]");
    }

    @Test
    void anInterimResponseIsFollowedByTheFinalOneToTheSameRequest() {
        String raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nid";
        assertThat(parseAtEverySplit(List.of("POST"), raw)).containsExactly(
                "100 Continue HTTP/1.1 NONE keep-alive interim",
                "201 Created HTTP/1.1 CONTENT_LENGTH(2) keep-alive body=[id]");
    }

    @Test
    void keepAliveFollowsConnectionAndVersion() {
        String raw = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        assertThat(parseAtEverySplit(List.of("GET"), raw)).containsExactly(
                "200 OK HTTP/1.1 CONTENT_LENGTH(0) close body=[]");
        assertThat(parseAtEverySplit(List.of("GET"), "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"))
                .containsExactly("200 OK HTTP/1.0 CONTENT_LENGTH(0) close body=[]");
        assertThat(parseAtEverySplit(List.of("GET"),
                "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"))
                .containsExactly("200 OK HTTP/1.0 CONTENT_LENGTH(0) keep-alive body=[]");
    }

    @Test
    void theServersReasonPhraseIsKeptAndAnEmptyOneAccepted() {
        assertThat(parseAtEverySplit(List.of("GET", "GET"),
                "HTTP/1.1 200 Fine Thanks\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404\r\nContent-Length: 0\r\n\r\n"))
                .containsExactly("200 Fine Thanks HTTP/1.1 CONTENT_LENGTH(0) keep-alive body=[]",
                        "404 Not Found HTTP/1.1 CONTENT_LENGTH(0) keep-alive body=[]");
    }

    // ------------------------------------------------------------------ refused responses

    static Stream<Arguments> brokenResponses() {
        return Stream.of(
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", HttpViolation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", HttpViolation.MULTIPLE_CONTENT_LENGTHS),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", HttpViolation.INVALID_CONTENT_LENGTH),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\n", HttpViolation.INVALID_CONTENT_LENGTH),
                Arguments.of("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", HttpViolation.BARE_LF),
                Arguments.of("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", HttpViolation.BARE_CR),
                Arguments.of("HTTP/1.1 200 OK\r\nX : a\r\n\r\n", HttpViolation.WHITESPACE_BEFORE_COLON),
                Arguments.of("HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", HttpViolation.OBSOLETE_LINE_FOLDING),
                Arguments.of("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", HttpViolation.MISSING_COLON),
                Arguments.of("HTTP/1.1 20 OK\r\n\r\n", HttpViolation.MALFORMED_STATUS_LINE),
                Arguments.of("HTTP/1.1 2000 OK\r\n\r\n", HttpViolation.MALFORMED_STATUS_LINE),
                Arguments.of("HTTP/1.1 099 Odd\r\n\r\n", HttpViolation.INVALID_STATUS_CODE),
                Arguments.of("HTTP/1.1 600 Odd\r\n\r\n", HttpViolation.INVALID_STATUS_CODE),
                Arguments.of("HTTP/1.1 2x0 OK\r\n\r\n", HttpViolation.INVALID_STATUS_CODE),
                Arguments.of("HTTP/2.0 200 OK\r\n\r\n", HttpViolation.UNSUPPORTED_VERSION),
                Arguments.of("HTTQ/1.1 200 OK\r\n\r\n", HttpViolation.INVALID_VERSION),
                Arguments.of("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", HttpViolation.UNREQUESTED_PROTOCOL_SWITCH),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", HttpViolation.INVALID_CHUNK_SIZE),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", HttpViolation.MISSING_CRLF_AFTER_CHUNK),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", HttpViolation.CHUNKED_TWICE));
    }

    @ParameterizedTest
    @MethodSource("brokenResponses")
    void aResponseThatBreaksARuleIsRefusedWithTheRule(String raw, HttpViolation expected) {
        List<String> out = parseAtEverySplit(List.of("GET"), raw);
        assertThat(out).last().isEqualTo("ERROR " + expected.name());
    }

    @Test
    void bytesWhileNoRequestWaitsAreNotAResponse() {
        assertThat(parse(List.of(), false, bytes("HTTP/1.1 200 OK\r\n\r\n")))
                .containsExactly("ERROR UNSOLICITED_RESPONSE");
        assertThat(parse(List.of("GET"), false,
                bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n")))
                .containsExactly("200 OK HTTP/1.1 CONTENT_LENGTH(0) keep-alive body=[]", "ERROR UNSOLICITED_RESPONSE");
    }

    @Test
    void aHeaderSectionOverTheLimitIsRefusedBeforeItEnds() {
        ParserLimits small = new ParserLimits(100, 64, 100, Long.MAX_VALUE);
        String raw = "HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(80);
        assertThat(parse(small, List.of("GET"), false, bytes(raw))).containsExactly("ERROR HEADER_SECTION_TOO_LARGE");
    }

    // ------------------------------------------------------------------ the server closes (RFC 9112 §8)

    @Test
    void theCloseEndsABodyThatRunsUntilClose() {
        assertThat(parse(List.of("GET"), true, bytes("HTTP/1.1 200 OK\r\n\r\npart one,"), bytes(" part two")))
                .containsExactly("200 OK HTTP/1.1 UNTIL_CLOSE close body=[part one, part two]");
    }

    @Test
    void aCloseInsideAFixedBodyIsAnIncompleteResponse() {
        assertThat(parse(List.of("GET"), true, bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")))
                .containsExactly("200 OK HTTP/1.1 CONTENT_LENGTH(10) keep-alive incomplete-body=[abc]",
                        "ERROR INCOMPLETE_RESPONSE");
    }

    @Test
    void aCloseInsideTheHeadOrAChunkedBodyIsAnIncompleteResponse() {
        assertThat(parse(List.of("GET"), true, bytes("HTTP/1.1 200 OK\r\nContent-Le")))
                .containsExactly("ERROR INCOMPLETE_RESPONSE");
        assertThat(parse(List.of("GET"), true, bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")))
                .containsExactly("200 OK HTTP/1.1 CHUNKED keep-alive incomplete-body=[ab]", "ERROR INCOMPLETE_RESPONSE");
    }

    @Test
    void aCloseBeforeAnyByteLeavesTheRequestWaitingForItsReaderToDecide() {
        HttpResponseParser parser = new HttpResponseParser(ParserLimits.responseDefaults());
        EmbeddedChannel channel = new EmbeddedChannel(parser);
        parser.expectResponseTo("GET");
        channel.finish();
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(parser.waitingResponses()).isEqualTo(1);
    }

    @Test
    void theHeadIsKeptByteForByteWhenAsked() {
        HttpResponseParser parser = new HttpResponseParser(ParserLimits.responseDefaults(), () -> true);
        EmbeddedChannel channel = new EmbeddedChannel(parser);
        parser.expectResponseTo("GET");
        String head = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 2\r\n\r\n";
        channel.writeInbound(Unpooled.wrappedBuffer(bytes(head + "ok")));
        ReceivedResponseHead received = channel.readInbound();
        assertThat(received.toString()).isEqualTo(head);
        assertThat(received.fields().get("server")).isEqualTo("x");
        channel.finishAndReleaseAll();
    }

    // ------------------------------------------------------------------ harness

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> parse(List<String> methods, boolean close, byte[]... pieces) {
        return parse(ParserLimits.responseDefaults(), methods, close, pieces);
    }

    /** Feeds the pieces to a parser expecting responses to {@code methods}; {@code close} ends the connection. */
    private static List<String> parse(ParserLimits limits, List<String> methods, boolean close, byte[]... pieces) {
        HttpResponseParser parser = new HttpResponseParser(limits);
        methods.forEach(parser::expectResponseTo);
        EmbeddedChannel channel = new EmbeddedChannel(parser);
        List<String> out = new ArrayList<>();
        String[] head = {null};
        StringBuilder body = new StringBuilder();
        for (byte[] piece : pieces) {
            channel.writeInbound(Unpooled.wrappedBuffer(piece));
            drain(channel, out, head, body);
        }
        if (close) {
            channel.finish();
            drain(channel, out, head, body);
        }
        if (head[0] != null) {
            out.add(out.size() - (out.isEmpty() || !out.get(out.size() - 1).startsWith("ERROR") ? 0 : 1),
                    head[0] + " incomplete-body=[" + body + "]");
        }
        channel.finishAndReleaseAll();
        return out;
    }

    private static void drain(EmbeddedChannel channel, List<String> out, String[] head, StringBuilder body) {
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            if (msg instanceof ReceivedResponseHead h) {
                String described = h.status().code() + " " + h.status().reason() + " " + h.version() + " "
                        + h.framing() + (h.contentLength() >= 0 ? "(" + h.contentLength() + ")" : "")
                        + (h.keepAlive() ? " keep-alive" : " close");
                if (h.isInterim()) {
                    out.add(described + " interim");
                } else {
                    head[0] = described;
                    body.setLength(0);
                }
            } else if (msg instanceof HttpBodyPart part) {
                body.append(part.content().toString(StandardCharsets.ISO_8859_1));
                boolean last = part.isLast();
                part.release();
                if (last) {
                    out.add(head[0] + " body=[" + body + "]");
                    head[0] = null;
                }
            } else if (msg instanceof HttpResponseError error) {
                out.add("ERROR " + error.violation().name());
            }
        }
    }

    /**
     * Parses {@code raw} whole (closing the connection after it, so that a body until close ends), then split in
     * two at every byte boundary, then one byte at a time; all must agree.
     */
    private static List<String> parseAtEverySplit(List<String> methods, String raw) {
        byte[] all = bytes(raw);
        List<String> whole = parse(methods, true, all);
        for (int i = 1; i < all.length; i++) {
            List<String> split = parse(methods, true, Arrays.copyOfRange(all, 0, i),
                    Arrays.copyOfRange(all, i, all.length));
            assertThat(split).as("split at byte %d", i).isEqualTo(whole);
        }
        byte[][] single = new byte[all.length][];
        for (int i = 0; i < all.length; i++) {
            single[i] = new byte[] {all[i]};
        }
        assertThat(parse(methods, true, single)).as("byte by byte").isEqualTo(whole);
        return whole;
    }
}
