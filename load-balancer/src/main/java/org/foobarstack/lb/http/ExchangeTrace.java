package org.foobarstack.lb.http;

import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.request.RequestHead;
import org.foobarstack.httpcodec.request.RequestHeadEncoder;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.fields.HttpFields;

import java.util.ArrayList;
import java.util.List;

/**
 * What the balancer records about one request, as hops of its trace. In order:
 * <ol>
 *   <li>TCP received: the client's connection was accepted (first request of a connection only);</li>
 *   <li>HTTP received: the client's request head, as it arrived;</li>
 *   <li>TCP sent, once per failed attempt: which server could not be reached, why, and what was done next
 *       ("retry 1 of 3 on web-1 in 1000 ms", "redispatch");</li>
 *   <li>HTTP sent: the head forwarded to the chosen server, with the balancer's decision in its summary
 *       ("lb-1 chose web-2 (roundrobin, 2 candidates); web-1 DOWN since 12:01:03 (L4CON ...)") and the headers
 *       the balancer added (X-Forwarded-For, Forwarded, Via, traceparent) in its field tree;</li>
 *   <li>(the web server's hops, then the app server's, under the same trace id);</li>
 *   <li>HTTP sent: the response head as it went to the client, or the balancer's own 502, 503 or 504.</li>
 * </ol>
 * Every method checks {@link TraceRecorder#enabled()} first and builds nothing when tracing is off.
 */
final class ExchangeTrace {

    private final TraceRecorder recorder;
    private final String name;
    private final String clientPeer;

    ExchangeTrace(TraceRecorder recorder, String balancerName, String clientPeer) {
        this.recorder = recorder;
        this.name = balancerName;
        this.clientPeer = clientPeer;
    }

    /** Whether hops are recorded now: callers skip building what a hop would hold when they are not. */
    boolean enabled() {
        return recorder.enabled();
    }

    void accepted(String traceId, long acceptNanos, String local) {
        if (!recorder.enabled()) {
            return;
        }
        recorder.record(recorder.hop(traceId, Protocol.TCP, Direction.RECEIVED)
                .summary("accept " + clientPeer + " -> " + local)
                .peer(clientPeer)
                .timing(acceptNanos, acceptNanos)
                .field(Field.info("Local address", local))
                .field(Field.info("Remote address", clientPeer))
                .build());
    }

    void requestReceived(String traceId, HttpRequestHead head, int requestOnConnection) {
        if (!recorder.enabled()) {
            return;
        }
        long start = head.firstByteNanos() != 0 ? head.firstByteNanos() : System.nanoTime();
        byte[] raw = head.rawHead();
        recorder.record(recorder.hop(traceId, Protocol.HTTP, Direction.RECEIVED)
                .summary(head.requestLine())
                .peer(clientPeer)
                .timing(start, Math.max(start, System.nanoTime()))
                .fields(() -> {
                    List<Field> fields = raw != null ? new ArrayList<>(HttpFields.requestHead(raw)) : new ArrayList<>();
                    fields.add(Field.info("Connection", requestOnConnection == 1 ? "first request on this connection"
                            : "request " + requestOnConnection + " on this kept-alive connection"));
                    return fields;
                })
                .build());
    }

    void attemptFailed(String traceId, String server, String serverAddress, int attempt, String problem,
                       String next, long startNanos) {
        if (!recorder.enabled()) {
            return;
        }
        recorder.record(recorder.hop(traceId, Protocol.TCP, Direction.SENT)
                .summary(name + " -> " + server + ": " + problem + "; " + next)
                .peer(serverAddress)
                .timing(startNanos, Math.max(startNanos, System.nanoTime()))
                .field(Field.info("Server", server + " " + serverAddress))
                .field(Field.info("Attempt", Integer.toString(attempt)))
                .field(Field.info("Problem", problem))
                .field(Field.info("Next", next))
                .build());
    }

    void forwarded(String traceId, String server, String serverAddress, RequestHead head, String decision,
                   String connection, int attempt, long startNanos) {
        if (!recorder.enabled()) {
            return;
        }
        recorder.record(recorder.hop(traceId, Protocol.HTTP, Direction.SENT)
                .summary(name + " " + decision)
                .peer(serverAddress)
                .timing(startNanos, Math.max(startNanos, System.nanoTime()))
                .fields(() -> {
                    List<Field> fields = new ArrayList<>(HttpFields.requestHead(RequestHeadEncoder.toBytes(head)));
                    fields.add(Field.info("Balancer decision", decision));
                    fields.add(Field.info("Server", server + " " + serverAddress));
                    fields.add(Field.info("Attempt", Integer.toString(attempt)));
                    fields.add(Field.info("Connection to the server", connection));
                    return fields;
                })
                .build());
    }

    void responded(String traceId, HttpResponseHead head, String note, long startNanos) {
        if (!recorder.enabled()) {
            return;
        }
        recorder.record(recorder.hop(traceId, Protocol.HTTP, Direction.SENT)
                .summary("HTTP/1.1 " + head.status().code() + " " + head.status().reason()
                        + (note == null ? "" : " (" + note + ")"))
                .peer(clientPeer)
                .timing(startNanos, Math.max(startNanos, System.nanoTime()))
                .fields(() -> {
                    List<Field> fields = new ArrayList<>(HttpFields.responseHead(ResponseHeadEncoder.toBytes(head)));
                    if (note != null) {
                        fields.add(Field.info("Made by the balancer", note));
                    }
                    return fields;
                })
                .build());
    }
}
