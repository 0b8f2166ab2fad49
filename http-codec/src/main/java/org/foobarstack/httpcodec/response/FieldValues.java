package org.foobarstack.httpcodec.response;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * How both head encoders write a field value: as ISO-8859-1 (RFC 9110 §5.5 allows obs-text octets), with CR, LF
 * and NUL turned into spaces. A value is often copied from elsewhere (a CGI header, a client's header passed on by
 * the balancer, a file name), and a line break in it would otherwise start a field line, or a message, of its own.
 */
public final class FieldValues {

    private FieldValues() {
    }

    public static void write(String value, ByteBuf out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0' || c > 0xff) {
                writeReplacing(value, out);
                return;
            }
        }
        // the usual case: nothing to replace, written in one go
        out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
    }

    private static void writeReplacing(String value, ByteBuf out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            out.writeByte(c == '\r' || c == '\n' || c == '\0' ? ' ' : c > 0xff ? '?' : c);
        }
    }
}
