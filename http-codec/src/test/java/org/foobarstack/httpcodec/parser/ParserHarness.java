package org.foobarstack.httpcodec.parser;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds bytes to an {@link HttpRequestParser} in an EmbeddedChannel and describes what came out, one line per
 * request, with body bytes joined, so that the same bytes cut differently describe the same way.
 */
final class ParserHarness {

    private ParserHarness() {
    }

    static List<String> parse(ParserLimits limits, byte[]... pieces) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestParser(limits));
        List<String> out = new ArrayList<>();
        StringBuilder body = null;
        String head = null;
        for (byte[] piece : pieces) {
            channel.writeInbound(Unpooled.wrappedBuffer(piece));
            Object msg;
            while ((msg = channel.readInbound()) != null) {
                if (msg instanceof HttpRequestHead h) {
                    head = describe(h);
                    body = new StringBuilder();
                } else if (msg instanceof HttpBodyPart part) {
                    body.append(part.content().toString(StandardCharsets.ISO_8859_1));
                    boolean last = part.isLast();
                    part.release();
                    if (last) {
                        out.add(head + " body=[" + body + "]");
                        head = null;
                    }
                } else if (msg instanceof HttpRequestError error) {
                    if (head != null) {
                        out.add(head + " incomplete-body=[" + body + "]");
                        head = null;
                    }
                    out.add("ERROR " + error.violation());
                }
            }
        }
        if (head != null) {
            out.add(head + " incomplete-body=[" + body + "]");
        }
        channel.finishAndReleaseAll();
        return out;
    }

    static List<String> parse(String raw) {
        return parse(ParserLimits.defaults(), raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String describe(HttpRequestHead h) {
        return h.method() + " " + h.target().raw() + " " + h.version() + " " + h.framing()
                + (h.contentLength() >= 0 ? "(" + h.contentLength() + ")" : "")
                + (h.keepAlive() ? " keep-alive" : " close")
                + (h.expectContinue() ? " expect-continue" : "");
    }

    /** Parses {@code raw} whole, then split in two at every byte boundary, and returns the whole result. */
    static List<String> parseAtEverySplit(ParserLimits limits, String raw) {
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        List<String> whole = parse(limits, bytes);
        for (int i = 1; i < bytes.length; i++) {
            byte[] a = java.util.Arrays.copyOfRange(bytes, 0, i);
            byte[] b = java.util.Arrays.copyOfRange(bytes, i, bytes.length);
            List<String> split = parse(limits, a, b);
            if (!split.equals(whole)) {
                throw new AssertionError("split at byte " + i + " gives " + split + " but whole gives " + whole);
            }
        }
        // and one byte at a time
        byte[][] single = new byte[bytes.length][];
        for (int i = 0; i < bytes.length; i++) {
            single[i] = new byte[] {bytes[i]};
        }
        List<String> bytewise = parse(limits, single);
        if (!bytewise.equals(whole)) {
            throw new AssertionError("byte by byte gives " + bytewise + " but whole gives " + whole);
        }
        return whole;
    }

    static List<String> parseAtEverySplit(String raw) {
        return parseAtEverySplit(ParserLimits.defaults(), raw);
    }
}
