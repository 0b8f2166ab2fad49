package org.foobarstack.http.server;

import io.netty.buffer.ByteBuf;
import org.foobarstack.fastcgi.BeginRequestBody;
import org.foobarstack.fastcgi.EndRequestBody;
import org.foobarstack.fastcgi.FastCgiFields;
import org.foobarstack.fastcgi.FastCgiProtocolException;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.RecordHeader;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.fastcgi.client.FastCgiRecordObserver;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceRecorder;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The FastCGI records of one {@code /api/*} request, recorded as hops of its trace, seen from the web tier:
 *
 * <ol>
 *   <li>sent BEGIN_REQUEST (one record, one hop);</li>
 *   <li>sent the PARAMS stream: its records and the name-value pairs they carry, one hop from its first record to
 *       the empty one that ends it (FastCGI §3.3);</li>
 *   <li>sent the STDIN stream (the request body), likewise;</li>
 *   <li>received the STDOUT stream (the CGI response), and STDERR if the app wrote any;</li>
 *   <li>received END_REQUEST, with the app status and the protocol status.</li>
 * </ol>
 * Fields come from {@link FastCgiFields}, offsets counted from the first byte of the record or stream, and are
 * decoded only when someone reads the hop (the records' bytes are copied, the trees built later, if ever). A stream's
 * content is kept for its field tree only up to {@link #MAX_KEPT_CONTENT} bytes; a longer body shows its records
 * without their meaning. Runs on the call's event loop; made only when tracing is on.
 */
final class FastCgiHops implements FastCgiRecordObserver {

    /** Stream content kept for the field tree; beyond this only the records are shown. */
    static final int MAX_KEPT_CONTENT = 64 * 1024;

    private final TraceRecorder recorder;
    private final String traceId;
    private final String peer;
    private final Map<RecordType, Stream> streams = new EnumMap<>(RecordType.class);

    /**
     * One stream in progress: its records' headers and, while small enough, a copy of each record's content. The
     * copies are joined only when the stream ends, and not at all when it came in one record (a small response's
     * STDOUT usually does): each byte is copied out of the connection's buffer once.
     */
    private static final class Stream {
        final long startNanos = System.nanoTime();
        final List<RecordHeader> headers = new ArrayList<>(2);
        /** Null once the stream outgrew {@link #MAX_KEPT_CONTENT}. */
        List<byte[]> chunks = new ArrayList<>(2);
        int keptBytes;

        void keep(ByteBuf content) {
            int length = content.readableBytes();
            if (keptBytes + length > MAX_KEPT_CONTENT) {
                chunks = null;
                return;
            }
            byte[] copy = new byte[length];
            content.getBytes(content.readerIndex(), copy);
            chunks.add(copy);
            keptBytes += length;
        }

        /** The stream's content in one array, or null when it was too long to keep. */
        byte[] content() {
            if (chunks == null) {
                return null;
            }
            if (chunks.size() == 1) {
                return chunks.get(0);
            }
            byte[] joined = new byte[keptBytes];
            int at = 0;
            for (byte[] chunk : chunks) {
                System.arraycopy(chunk, 0, joined, at, chunk.length);
                at += chunk.length;
            }
            return joined;
        }
    }

    FastCgiHops(TraceRecorder recorder, String traceId, String peer) {
        this.recorder = recorder;
        this.traceId = traceId;
        this.peer = peer;
    }

    @Override
    public void sending(FastCgiRecord record) {
        observe(record, Direction.SENT, RecordHeader.paddingFor(record.content().readableBytes()));
    }

    @Override
    public void received(FastCgiRecord record) {
        observe(record, Direction.RECEIVED, record.paddingLength());
    }

    private void observe(FastCgiRecord record, Direction direction, int padding) {
        RecordType type = record.type();
        if (type == null) {
            return;
        }
        long now = System.nanoTime();
        switch (type) {
            case BEGIN_REQUEST -> recorder.record(recorder.hop(traceId, Protocol.FASTCGI, direction)
                    .summary(beginSummary(record)).peer(peer).timing(now, now)
                    .fields(FastCgiFields.recordLater(record)).build());
            case END_REQUEST -> {
                // a responder that ends without the empty STDOUT record still gets its STDOUT hop first
                finishStream(RecordType.STDOUT, direction);
                finishStream(RecordType.STDERR, direction);
                recorder.record(recorder.hop(traceId, Protocol.FASTCGI, direction)
                        .summary(endSummary(record)).peer(peer).timing(now, now)
                        .fields(FastCgiFields.recordLater(record)).build());
            }
            case PARAMS, STDIN, STDOUT, STDERR -> {
                Stream stream = streams.computeIfAbsent(type, t -> new Stream());
                int length = record.content().readableBytes();
                stream.headers.add(new RecordHeader(RecordHeader.VERSION_1, type.code(), record.requestId(),
                        length, padding));
                if (stream.chunks != null && length > 0) {
                    stream.keep(record.content());
                }
                if (length == 0) {
                    finishStream(type, direction);
                }
            }
            default -> {
            }
        }
    }

    private void finishStream(RecordType type, Direction direction) {
        Stream stream = streams.remove(type);
        if (stream == null) {
            return;
        }
        long bytes = 0;
        for (RecordHeader h : stream.headers) {
            bytes += h.contentLength();
        }
        recorder.record(recorder.hop(traceId, Protocol.FASTCGI, direction)
                .summary(type.name() + " stream, " + bytes + " bytes in " + stream.headers.size()
                        + (stream.headers.size() == 1 ? " record" : " records"))
                .peer(peer)
                .timing(stream.startNanos, Math.max(stream.startNanos, System.nanoTime()))
                .fields(FastCgiFields.streamLater(stream.headers, stream.content()))
                .build());
    }

    private static String beginSummary(FastCgiRecord record) {
        try {
            BeginRequestBody body = BeginRequestBody.read(record.content().duplicate());
            return "BEGIN_REQUEST id=" + record.requestId() + " role="
                    + body.role().map(Enum::name).orElse(Integer.toString(body.roleCode()))
                    + (body.keepConnection() ? " KEEP_CONN" : "");
        } catch (FastCgiProtocolException e) {
            return "BEGIN_REQUEST id=" + record.requestId();
        }
    }

    private static String endSummary(FastCgiRecord record) {
        try {
            EndRequestBody body = EndRequestBody.read(record.content().duplicate());
            return "END_REQUEST id=" + record.requestId() + " appStatus=" + body.appStatus() + " "
                    + body.protocolStatus().map(Enum::name).orElse("protocolStatus " + body.protocolStatusCode());
        } catch (FastCgiProtocolException e) {
            return "END_REQUEST id=" + record.requestId();
        }
    }
}
