package org.foobarstack.app.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import org.foobarstack.fastcgi.FastCgiFields;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordHeader;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The hops of one FastCGI connection's requests, as a trace shows them. Each request's records become hops under
 * the trace id that arrives in the {@code HTTP_TRACEPARENT} param (a fresh one when there is none):
 * <ol>
 *   <li>BEGIN_REQUEST received, recorded once PARAMS has brought the trace id;</li>
 *   <li>the PARAMS stream received, one hop with every pair as a field;</li>
 *   <li>the STDIN stream received, one hop;</li>
 *   <li>STDOUT (and STDERR) sent, one hop per stream;</li>
 *   <li>END_REQUEST sent; or ABORT_REQUEST received.</li>
 * </ol>
 * A request refused at BEGIN_REQUEST never becomes active: its two hops go under a fresh trace id.
 * Each hop carries the records' field tree from {@link FastCgiFields}, built only when somebody reads it.
 *
 * <p>With tracing off ({@link TraceRecorder#enabled()} false when a request begins) nothing of this is built and
 * every method returns at once. Like its handler, it runs on the connection's event loop only.
 */
final class ResponderTrace {

    /** What the hops of one request need from the records received so far. */
    static final class RequestHops {
        private final Supplier<List<Field>> beginFields;
        private final long beginStart;
        private final long beginEnd;
        private boolean beginRecorded;
        /** The headers of each input stream's records, and when its first record came: a stream is one hop. */
        private final Map<RequestStream, List<RecordHeader>> streamHeaders = new EnumMap<>(RequestStream.class);
        private final Map<RequestStream, Long> streamStart = new EnumMap<>(RequestStream.class);

        private RequestHops(Supplier<List<Field>> beginFields, long beginStart, long beginEnd) {
            this.beginFields = beginFields;
            this.beginStart = beginStart;
            this.beginEnd = beginEnd;
        }

        private List<RecordHeader> headers(RequestStream stream) {
            return streamHeaders.getOrDefault(stream, List.of());
        }
    }

    private final TraceRecorder recorder;
    private final Channel channel;
    /** The web server's end of this connection, as hops show it; made once, when the first hop needs it. */
    private String peerText;

    ResponderTrace(TraceRecorder recorder, Channel channel) {
        this.recorder = recorder;
        this.channel = channel;
    }

    /** BEGIN_REQUEST made {@code request} active: its hop waits for the trace id that PARAMS carries. */
    void begun(ResponderRequest request, FastCgiRecord begin, long receivedNanos) {
        if (recorder.enabled()) {
            request.hops(new RequestHops(FastCgiFields.recordLater(begin), receivedNanos, System.nanoTime()));
        }
    }

    /** One record of an input stream, the empty one that ends it included. */
    void streamRecord(ResponderRequest request, RequestStream stream, RecordHeader header) {
        RequestHops hops = request.hops();
        if (hops == null) {
            return;
        }
        if (!hops.streamHeaders.containsKey(stream)) {
            hops.streamStart.put(stream, System.nanoTime());
        }
        hops.streamHeaders.computeIfAbsent(stream, s -> new ArrayList<>(2)).add(header);
    }

    /**
     * The PARAMS stream has ended: its hop, and before it the BEGIN_REQUEST hop. {@code params} is the stream's
     * content, or null when the request was refused on the way and its content dropped.
     */
    void paramsReceived(ResponderRequest request, byte[] params) {
        RequestHops hops = request.hops();
        if (hops == null) {
            return;
        }
        List<RecordHeader> headers = hops.headers(RequestStream.PARAMS);
        int bytes = headers.stream().mapToInt(RecordHeader::contentLength).sum();
        String summary = "PARAMS id=" + request.id() + ", " + bytes + " bytes in " + headers.size() + " records";
        if (request.params() != null) {
            summary += ", " + request.params().size() + " params: " + request.params().getOrDefault("REQUEST_METHOD",
                    "") + " " + request.params().getOrDefault("REQUEST_URI", "");
        }
        record(request, Direction.RECEIVED, summary, hops.streamStart.get(RequestStream.PARAMS),
                FastCgiFields.streamLater(headers, params));
    }

    /** The STDIN stream has ended: its hop, with the body unless the request was refused on the way. */
    void stdinReceived(ResponderRequest request) {
        RequestHops hops = request.hops();
        if (hops == null) {
            return;
        }
        List<RecordHeader> headers = hops.headers(RequestStream.STDIN);
        int bytes = headers.stream().mapToInt(RecordHeader::contentLength).sum();
        record(request, Direction.RECEIVED, "STDIN id=" + request.id() + ", " + bytes + " bytes in "
                        + headers.size() + " records", hops.streamStart.get(RequestStream.STDIN),
                FastCgiFields.streamLater(headers, request.rejected() ? null
                        : ByteBufUtil.getBytes(request.received(RequestStream.STDIN))));
    }

    /** A copy of an output stream's content for its hop, taken before the records consume it; null untraced. */
    byte[] copyIfTraced(ResponderRequest request, ByteBuf data) {
        return request.hops() == null ? null : ByteBufUtil.getBytes(data);
    }

    /** An output stream (STDOUT, STDERR) sent as {@code records}, its empty record included. */
    void streamSent(ResponderRequest request, RecordType type, List<FastCgiRecord> records, byte[] content,
                    String what, long startNanos) {
        if (request.hops() == null || content == null) {
            return;
        }
        List<RecordHeader> headers = new ArrayList<>(records.size());
        for (FastCgiRecord record : records) {
            headers.add(record.header());
        }
        record(request, Direction.SENT, type + " id=" + request.id() + ", " + what + ", " + content.length
                + " bytes in " + records.size() + " records", startNanos, FastCgiFields.streamLater(headers, content));
    }

    /** ABORT_REQUEST received (§5.4). */
    void aborted(ResponderRequest request, FastCgiRecord abort) {
        if (request.hops() != null) {
            record(request, Direction.RECEIVED, "ABORT_REQUEST id=" + request.id(), System.nanoTime(),
                    FastCgiFields.recordLater(abort));
        }
    }

    /** END_REQUEST sent (§5.5). */
    void ended(ResponderRequest request, FastCgiRecord end, ProtocolStatus status, long appStatus, long startNanos) {
        if (request.hops() != null) {
            record(request, Direction.SENT, "END_REQUEST id=" + request.id() + " " + status + " appStatus="
                    + appStatus, startNanos, FastCgiFields.recordLater(end));
        }
    }

    /** A BEGIN_REQUEST refused at once with END_REQUEST: two hops under a fresh trace id (no PARAMS came). */
    void refused(FastCgiRecord begin, long receivedNanos, FastCgiRecord end, ProtocolStatus status) {
        if (!recorder.enabled()) {
            return;
        }
        int id = begin.requestId();
        String traceId = TraceContext.fresh().traceId();
        recorder.record(recorder.hop(traceId, Protocol.FASTCGI, Direction.RECEIVED)
                .summary("BEGIN_REQUEST id=" + id + " (refused)").peer(peerText())
                .timing(receivedNanos, System.nanoTime()).fields(FastCgiFields.recordLater(begin)).build());
        long start = System.nanoTime();
        Supplier<List<Field>> fields = FastCgiFields.recordLater(end);
        recorder.record(recorder.hop(traceId, Protocol.FASTCGI, Direction.SENT)
                .summary("END_REQUEST id=" + id + " " + status).peer(peerText())
                .timing(start, System.nanoTime()).fields(fields).build());
    }

    /**
     * Records one hop of a request under its trace id; first the BEGIN_REQUEST hop if it still waits for the id
     * (a request aborted or refused before its PARAMS ended gets a fresh id).
     */
    private void record(ResponderRequest request, Direction direction, String summary, long startNanos,
                        Supplier<List<Field>> fields) {
        RequestHops hops = request.hops();
        String traceId = request.traceOrFresh().traceId();
        if (!hops.beginRecorded) {
            hops.beginRecorded = true;
            boolean keep = request.keepConnection();
            recorder.record(recorder.hop(traceId, Protocol.FASTCGI, Direction.RECEIVED)
                    .summary("BEGIN_REQUEST id=" + request.id() + " role=RESPONDER" + (keep ? " keep-conn" : ""))
                    .peer(peerText()).timing(hops.beginStart, hops.beginEnd)
                    .fields(hops.beginFields).build());
        }
        recorder.record(recorder.hop(traceId, Protocol.FASTCGI, direction).summary(summary).peer(peerText())
                .timing(startNanos, Math.max(startNanos, System.nanoTime())).fields(fields).build());
    }

    private String peerText() {
        if (peerText == null) {
            InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
            peerText = remote == null ? "" : remote.getAddress().getHostAddress() + ":" + remote.getPort();
        }
        return peerText;
    }
}
