package org.foobarstack.httpcodec.response;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The response head on the wire, byte for byte (RFC 9112 §4 status line, §5 field lines). */
class ResponseHeadEncoderTest {

    private static byte[] encode(HttpResponseHead head) {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseHeadEncoder());
        channel.writeOutbound(head);
        ByteBuf out = channel.readOutbound();
        try {
            assertThat(out.capacity()).as("sized exactly").isEqualTo(out.readableBytes());
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void statusLineThenOneLinePerFieldThenAnEmptyLine() {
        HttpResponseHead head = HttpResponseHead.builder(HttpStatus.NOT_FOUND)
                .add("Content-Type", "text/html; charset=utf-8")
                .add("Content-Length", "42")
                .build();

        assertThat(new String(encode(head), StandardCharsets.ISO_8859_1)).isEqualTo(
                "HTTP/1.1 404 Not Found\r\n"
                        + "Content-Type: text/html; charset=utf-8\r\n"
                        + "Content-Length: 42\r\n"
                        + "\r\n");
    }

    @Test
    void aValueCannotSmuggleALineBreakOrANul() {
        HttpResponseHead head = HttpResponseHead.builder(HttpStatus.OK)
                .add("X-From-Elsewhere", "a\r\nSet-Cookie: evil\0b")
                .build();

        assertThat(new String(encode(head), StandardCharsets.ISO_8859_1))
                .isEqualTo("HTTP/1.1 200 OK\r\nX-From-Elsewhere: a  Set-Cookie: evil b\r\n\r\n");
    }

    @Test
    void valuesAreLatin1AndWiderCharactersBecomeQuestionMarks() {
        HttpResponseHead head = HttpResponseHead.builder(HttpStatus.OK)
                .add("Content-Disposition", "inline; filename=\"caf\u00e9-\u20ac.txt\"")
                .build();

        byte[] bytes = encode(head);

        assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                .contains("filename=\"caf\u00e9-?.txt\"");
        assertThat(bytes).contains((byte) 0xe9);
    }

    @Test
    void toBytesIsWhatGoesOnTheWire() {
        HttpResponseHead head = HttpResponseHead.builder(HttpStatus.OK).add("ETag", "\"1-2\"").build();

        assertThat(ResponseHeadEncoder.toBytes(head)).isEqualTo(encode(head));
    }
}
