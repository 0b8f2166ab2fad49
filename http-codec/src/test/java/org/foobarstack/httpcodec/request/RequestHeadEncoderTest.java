package org.foobarstack.httpcodec.request;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request head encoder writes exactly RFC 9112's request line and field lines, and our parser reads them back. */
class RequestHeadEncoderTest {

    @Test
    void writesTheRequestLineAndFieldsByteForByte() {
        RequestHead head = RequestHead.builder("GET", "/api/messages?limit=20")
                .add("Host", "www.foobar.com").add("Accept", "*/*").build();
        assertThat(new String(RequestHeadEncoder.toBytes(head), StandardCharsets.ISO_8859_1))
                .isEqualTo("GET /api/messages?limit=20 HTTP/1.1\r\nHost: www.foobar.com\r\nAccept: */*\r\n\r\n");
    }

    @Test
    void whatItWritesOurParserReadsBackUnchanged() {
        RequestHead head = RequestHead.builder("POST", "/form").add("Host", "a").add("X-Name", "value with spaces")
                .add("Content-Length", "0").build();
        EmbeddedChannel channel = new EmbeddedChannel(new RequestHeadEncoder());
        channel.writeOutbound(head);
        ByteBuf bytes = channel.readOutbound();
        EmbeddedChannel parser = new EmbeddedChannel(new HttpRequestParser(ParserLimits.defaults()));
        parser.writeInbound(bytes);
        HttpRequestHead parsed = parser.readInbound();
        assertThat(parsed.requestLine()).isEqualTo("POST /form HTTP/1.1");
        assertThat(parsed.fields().get("x-name")).isEqualTo("value with spaces");
        parser.finishAndReleaseAll();
        channel.finishAndReleaseAll();
    }

    @Test
    void aLineBreakInAValueCannotAddALineOfItsOwn() {
        RequestHead head = RequestHead.builder("GET", "/").add("X-Copied", "a\r\nInjected: yes").build();
        assertThat(new String(RequestHeadEncoder.toBytes(head), StandardCharsets.ISO_8859_1))
                .isEqualTo("GET / HTTP/1.1\r\nX-Copied: a  Injected: yes\r\n\r\n");
    }

    @Test
    void aSpaceInTheTargetOrMethodIsRefusedNotRepaired() {
        assertThatThrownBy(() -> RequestHeadEncoder.toBytes(RequestHead.builder("GET", "/a b").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request-target");
        assertThatThrownBy(() -> RequestHeadEncoder.toBytes(RequestHead.builder("G T", "/").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("method");
    }
}
