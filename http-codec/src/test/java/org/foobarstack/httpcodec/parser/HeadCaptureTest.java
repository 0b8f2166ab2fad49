package org.foobarstack.httpcodec.parser;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The copy of each request head the parser keeps for a trace: the bytes exactly as they arrived. */
class HeadCaptureTest {

    private static final String FIRST = "POST /api/messages HTTP/1.1\r\nHost: www.foobar.com\r\n"
            + "Content-Type:   text/plain  \r\nContent-Length: 5\r\n\r\n";
    private static final String SECOND = "GET /style.css?v=2 HTTP/1.1\r\nHost: www.foobar.com\r\n"
            + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n";
    /** An empty line before a request line is skipped (RFC 9112 §2.2) and is not part of the head. */
    private static final String STREAM = FIRST + "hello" + "\r\n" + SECOND;

    private static List<HttpRequestHead> heads(AtomicBoolean capture, byte[]... pieces) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestParser(ParserLimits.defaults(), capture::get));
        List<HttpRequestHead> heads = new ArrayList<>();
        for (byte[] piece : pieces) {
            channel.writeInbound(Unpooled.wrappedBuffer(piece));
            Object msg;
            while ((msg = channel.readInbound()) != null) {
                if (msg instanceof HttpRequestHead head) {
                    heads.add(head);
                } else if (msg instanceof HttpBodyPart part) {
                    part.release();
                }
            }
        }
        channel.finishAndReleaseAll();
        return heads;
    }

    @Test
    void pipelinedHeadsAreCapturedByteForByteHoweverTheBytesAreCut() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.ISO_8859_1);
        AtomicBoolean on = new AtomicBoolean(true);
        for (int cut = 1; cut < bytes.length; cut++) {
            List<HttpRequestHead> heads = heads(on, java.util.Arrays.copyOfRange(bytes, 0, cut),
                    java.util.Arrays.copyOfRange(bytes, cut, bytes.length));
            assertThat(heads).as("cut at %d", cut).hasSize(2);
            assertThat(new String(heads.get(0).rawHead(), StandardCharsets.ISO_8859_1)).isEqualTo(FIRST);
            assertThat(new String(heads.get(1).rawHead(), StandardCharsets.ISO_8859_1)).isEqualTo(SECOND);
            assertThat(heads.get(0).firstByteNanos()).isPositive();
        }
    }

    @Test
    void nothingIsCopiedWhileCaptureIsOff() {
        AtomicBoolean off = new AtomicBoolean(false);
        List<HttpRequestHead> heads = heads(off, STREAM.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(heads).hasSize(2).allSatisfy(h -> {
            assertThat(h.rawHead()).isNull();
            assertThat(h.firstByteNanos()).isZero();
        });
    }
}
