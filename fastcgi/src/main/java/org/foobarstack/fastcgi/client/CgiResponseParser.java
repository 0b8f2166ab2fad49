package org.foobarstack.fastcgi.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads the CGI response that arrives on STDOUT (RFC 3875 §6): a header block, an empty line, then the body.
 *
 * <pre>
 *   Status: 201 Created          optional; 200 when absent (§6.3.3)
 *   Content-Type: application/json
 *   Location: /api/messages/7    without Status: a redirect (§6.2.3, §6.2.4)
 *   X-Anything: passed on as an HTTP header (§6.3.5)
 *
 *   {"id":7,...}
 * </pre>
 *
 * Lines may end in LF or CRLF (§6.2: "NL"), since CGI programs write both. Feed STDOUT pieces to {@link #feed}
 * until it reports the head; everything after the empty line is body and is handed back unparsed.
 */
public final class CgiResponseParser {

    /** The parsed header block. */
    public record Head(int status, String reason, List<Field> fields) {
        public Head {
            fields = Collections.unmodifiableList(fields);
        }

        public String get(String name) {
            for (Field f : fields) {
                if (f.name().equalsIgnoreCase(name)) {
                    return f.value();
                }
            }
            return null;
        }
    }

    public record Field(String name, String value) {
    }

    /** The app sent something that is not a CGI response; the web tier answers 502. */
    public static final class MalformedCgiResponse extends RuntimeException {
        public MalformedCgiResponse(String message) {
            super(message, null, false, false);
        }
    }

    private final int maxHeaderBytes;
    private final ByteBuf buffer;
    private Head head;

    public CgiResponseParser(ByteBufAllocator alloc, int maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
        this.buffer = alloc.heapBuffer(256);
    }

    public Head head() {
        return head;
    }

    /**
     * Takes a piece of STDOUT (and its ownership). Before the head is complete, returns null; the call that
     * completes it returns the body bytes that came after the header block (possibly empty); after that, every
     * piece is body and is returned as it is.
     */
    public ByteBuf feed(ByteBuf data) {
        if (head != null) {
            return data;
        }
        if (!buffer.isReadable()) {
            // The usual case: the whole header block is in this first piece. It is parsed where it lies, and the
            // body bytes after it are passed on as they are, without a copy.
            End end = endOfHeaderBlock(data);
            if (end != null) {
                try {
                    head = parseHead(headerBlock(data, end));
                } catch (RuntimeException e) {
                    data.release();
                    throw e;
                }
                data.skipBytes(end.headerLength + end.separatorLength);
                return data;
            }
        }
        try {
            buffer.writeBytes(data);
        } finally {
            data.release();
        }
        End end = endOfHeaderBlock(buffer);
        if (end == null) {
            if (buffer.readableBytes() > maxHeaderBytes) {
                throw new MalformedCgiResponse("no end of the CGI header block within " + maxHeaderBytes + " bytes");
            }
            return null;
        }
        head = parseHead(headerBlock(buffer, end));
        buffer.skipBytes(end.headerLength + end.separatorLength);
        return buffer.readRetainedSlice(buffer.readableBytes());
    }

    private String headerBlock(ByteBuf in, End end) {
        if (end.headerLength > maxHeaderBytes) {
            throw new MalformedCgiResponse("a CGI header block of " + end.headerLength + " bytes, more than "
                    + maxHeaderBytes);
        }
        return in.toString(in.readerIndex(), end.headerLength, StandardCharsets.ISO_8859_1);
    }

    /** Frees the header buffer; call once, when the response is over. */
    public void release() {
        if (buffer.refCnt() > 0) {
            buffer.release();
        }
    }

    private record End(int headerLength, int separatorLength) {
    }

    /** Finds the empty line that ends the header block: LF LF or LF CR LF; null while it has not arrived. */
    private static End endOfHeaderBlock(ByteBuf in) {
        int start = in.readerIndex();
        int limit = in.writerIndex();
        int i = start;
        while ((i = in.indexOf(i, limit, (byte) '\n')) >= 0) {
            if (i + 1 < limit && in.getByte(i + 1) == '\n') {
                return new End(i + 1 - start, 1);
            }
            if (i + 2 < limit && in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n') {
                return new End(i + 1 - start, 2);
            }
            i++;
        }
        return null;
    }

    private static Head parseHead(String block) {
        int status = 200;
        String reason = null;
        boolean statusSeen = false;
        List<Field> fields = new ArrayList<>();
        for (String rawLine : block.split("\n")) {
            String line = rawLine.endsWith("\r") ? rawLine.substring(0, rawLine.length() - 1) : rawLine;
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedCgiResponse("CGI header line without a name and colon: " + abbreviate(line));
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                // Status = "Status:" status-code SP reason-phrase (§6.3.3)
                String[] parts = value.split(" ", 2);
                try {
                    status = Integer.parseInt(parts[0]);
                } catch (NumberFormatException e) {
                    throw new MalformedCgiResponse("Status is not a number: " + abbreviate(value));
                }
                if (status < 100 || status > 999) {
                    throw new MalformedCgiResponse("Status out of range: " + status);
                }
                reason = parts.length > 1 ? parts[1].trim() : null;
                statusSeen = true;
            } else {
                fields.add(new Field(name, value));
            }
        }
        if (fields.isEmpty() && !statusSeen) {
            throw new MalformedCgiResponse("the CGI header block is empty");
        }
        if (!statusSeen) {
            for (Field f : fields) {
                if (f.name().equalsIgnoreCase("Location") && !f.value().startsWith("/")) {
                    // a client redirect response (§6.2.3): 302 unless the script says otherwise
                    status = 302;
                    reason = "Found";
                }
            }
        }
        return new Head(status, reason, fields);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
