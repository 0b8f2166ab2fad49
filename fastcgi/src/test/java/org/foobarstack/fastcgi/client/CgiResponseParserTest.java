package org.foobarstack.fastcgi.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CGI response header block (RFC 3875 §6), fed in pieces as STDOUT records bring it. */
class CgiResponseParserTest {

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    @Test
    void statusHeadersAndBodyAtEverySplit() {
        String raw = "Status: 201 Created\r\nContent-Type: application/json\r\nX-A: 1\r\n\r\n{\"id\":1}";
        for (int split = 0; split <= raw.length(); split++) {
            CgiResponseParser p = new CgiResponseParser(ByteBufAllocator.DEFAULT, 1024);
            StringBuilder body = new StringBuilder();
            for (String piece : new String[] {raw.substring(0, split), raw.substring(split)}) {
                ByteBuf rest = p.feed(bytes(piece));
                if (rest != null) {
                    body.append(rest.toString(StandardCharsets.ISO_8859_1));
                    rest.release();
                }
            }
            assertThat(p.head().status()).as("split %d", split).isEqualTo(201);
            assertThat(p.head().reason()).isEqualTo("Created");
            assertThat(p.head().get("content-type")).isEqualTo("application/json");
            assertThat(p.head().get("X-A")).isEqualTo("1");
            assertThat(body).hasToString("{\"id\":1}");
            p.release();
        }
    }

    @Test
    void lfOnlyLinesAndDefaultStatus200() {
        CgiResponseParser p = new CgiResponseParser(ByteBufAllocator.DEFAULT, 1024);
        ByteBuf rest = p.feed(bytes("Content-Type: text/plain\n\nhi"));
        assertThat(p.head().status()).isEqualTo(200);
        assertThat(rest.toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
        rest.release();
        p.release();
    }

    @Test
    void anAbsoluteLocationWithoutStatusIsARedirect() {
        CgiResponseParser p = new CgiResponseParser(ByteBufAllocator.DEFAULT, 1024);
        p.feed(bytes("Location: http://www.foobar.com/\n\n")).release();
        assertThat(p.head().status()).isEqualTo(302);
        p.release();
    }

    @Test
    void garbageAndEndlessHeadersAreRefused() {
        CgiResponseParser p = new CgiResponseParser(ByteBufAllocator.DEFAULT, 1024);
        assertThatThrownBy(() -> p.feed(bytes("not a header\n\n")))
                .isInstanceOf(CgiResponseParser.MalformedCgiResponse.class);
        p.release();
        CgiResponseParser q = new CgiResponseParser(ByteBufAllocator.DEFAULT, 16);
        assertThatThrownBy(() -> q.feed(bytes("X-Long: " + "a".repeat(100))))
                .isInstanceOf(CgiResponseParser.MalformedCgiResponse.class);
        q.release();
        // complete, but over the limit: refused too, whether it came in one piece or in two
        for (int split : new int[] {0, 10}) {
            CgiResponseParser r = new CgiResponseParser(ByteBufAllocator.DEFAULT, 16);
            String raw = "X-Long: " + "a".repeat(100) + "\n\nbody";
            if (split > 0) {
                assertThat(r.feed(bytes(raw.substring(0, split)))).isNull();
            }
            assertThatThrownBy(() -> r.feed(bytes(raw.substring(split))))
                    .isInstanceOf(CgiResponseParser.MalformedCgiResponse.class)
                    .hasMessageContaining("more than 16");
            r.release();
        }
    }
}
