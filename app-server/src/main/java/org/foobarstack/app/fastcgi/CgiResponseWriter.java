package org.foobarstack.app.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.foobarstack.app.api.AppResponse;

import java.nio.charset.StandardCharsets;

/**
 * Turns an {@link AppResponse} into the bytes of a CGI response (RFC 3875 §6), which travel on the STDOUT stream:
 *
 * <pre>
 *   Status: 201 Created\r\n                      RFC 3875 §6.3.3: the HTTP status for the web server to send
 *   Content-Type: application/json\r\n           RFC 3875 §6.3.1
 *   Location: /api/messages/7\r\n
 *   Content-Length: 61\r\n
 *   \r\n                                         end of the header section (RFC 3875 §6.2)
 *   {"id":7,...}                                 the body
 * </pre>
 *
 * The web server turns this into an HTTP response; nginx, for one, reads the Status field and copies the others.
 */
public final class CgiResponseWriter {

    private static final String CRLF = "\r\n";

    private CgiResponseWriter() {
    }

    /**
     * @param headRequest true for a HEAD request, whose response carries no body (RFC 3875 §4.3.2: "the script
     *                    MUST NOT provide a response body"); Content-Length still tells the size of the GET body
     */
    public static ByteBuf write(AppResponse response, boolean headRequest, ByteBufAllocator alloc) {
        StringBuilder head = new StringBuilder(128);
        head.append("Status: ").append(response.status()).append(' ').append(response.reason()).append(CRLF);
        for (AppResponse.Header header : response.headers()) {
            head.append(header.name()).append(": ").append(header.value()).append(CRLF);
        }
        if (response.header("Content-Length") == null) {
            head.append("Content-Length: ").append(response.body().length).append(CRLF);
        }
        head.append(CRLF);
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        int bodyLength = headRequest ? 0 : response.body().length;
        ByteBuf out = alloc.buffer(headBytes.length + bodyLength);
        out.writeBytes(headBytes);
        if (!headRequest) {
            out.writeBytes(response.body());
        }
        return out;
    }
}
