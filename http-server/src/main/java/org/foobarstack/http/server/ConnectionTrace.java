package org.foobarstack.http.server;

import io.netty.channel.Channel;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.fields.HttpHeadFields;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the web tier records about one client connection, as hops of a trace.
 *
 * <p>A connection exists before any request does, so its TCP accept and TLS handshake have no trace id of their
 * own. They are recorded under the trace of the connection's <em>first</em> request, when that request's head has
 * been read: in the dashboard's waterfall the first request of a connection then starts with the cost of opening
 * it (accept, handshake), which is where a learner expects it, and a request on a kept-alive connection starts
 * straight with its HTTP head, whose fields say which request of the connection it is and which trace opened it.
 *
 * <p>Hops of one request, in order:
 * <ol>
 *   <li>TCP received: the accepted connection (first request only);</li>
 *   <li>TLS received: the finished handshake, version, cipher suite, SNI (first request on HTTPS only);</li>
 *   <li>HTTP received: the request head, its bytes as they arrived ({@link HttpRequestHead#rawHead()});</li>
 *   <li>(FastCGI hops, for {@code /api/*}: {@link FastCgiHops});</li>
 *   <li>HTTP sent: the response head, re-encoded byte for byte as {@link ResponseHeadEncoder} writes it.</li>
 * </ol>
 * Every method checks {@link TraceRecorder#enabled()} first and builds nothing when tracing is off. All methods run
 * on the connection's event loop.
 */
public final class ConnectionTrace {

    private final TraceRecorder recorder;
    private final long acceptNanos = System.nanoTime();
    private final String peer;
    private final String local;

    private long tlsDoneNanos;
    private List<Field> tlsFields;
    private String tlsSummary;
    private int requests;
    private String openingTraceId;

    public ConnectionTrace(TraceRecorder recorder, Channel channel) {
        this.recorder = recorder;
        this.peer = hostPort(channel.remoteAddress());
        this.local = hostPort(channel.localAddress());
    }

    public TraceRecorder recorder() {
        return recorder;
    }

    public String peer() {
        return peer;
    }

    /** The TLS handshake finished: remember what was agreed, to record with the first request. */
    public void tlsHandshakeDone(SSLSession session) {
        tlsDoneNanos = System.nanoTime();
        if (!recorder.enabled()) {
            return;
        }
        String sni = null;
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    sni = host.getAsciiName();
                }
            }
        }
        tlsFields = List.of(
                Field.info("Version", session.getProtocol()),
                Field.info("Cipher suite", session.getCipherSuite()),
                Field.info("Server name (SNI)", sni == null
                        ? "none sent: the client asked by address (RFC 6066 §3)" : sni),
                Field.info("Handshake", "ClientHello received, ServerHello, certificate and Finished sent, "
                        + "client Finished received (RFC 8446 §2)"));
        tlsSummary = "handshake " + session.getProtocol() + " " + session.getCipherSuite()
                + (sni == null ? "" : " SNI " + sni);
    }

    /**
     * A request head was read. The connection's first request also gets the TCP accept and TLS hops.
     *
     * @param traceId the request's trace
     */
    public void requestReceived(String traceId, HttpRequestHead head) {
        requests++;
        if (!recorder.enabled()) {
            return;
        }
        if (requests == 1) {
            openingTraceId = traceId;
            recordOpening(traceId);
        }
        long start = head.firstByteNanos() != 0 ? head.firstByteNanos() : System.nanoTime();
        byte[] raw = head.rawHead();
        int number = requests;
        String opening = openingTraceId;
        // the head's field tree is built only if someone reads this hop (Hop#fields)
        recorder.record(recorder.hop(traceId, Protocol.HTTP, Direction.RECEIVED)
                .summary(head.requestLine())
                .peer(peer)
                .timing(start, Math.max(start, System.nanoTime()))
                .fields(() -> {
                    List<Field> fields = raw != null ? new ArrayList<>(HttpHeadFields.requestHead(raw)) : new ArrayList<>();
                    fields.add(Field.info("Connection", number == 1
                            ? "first request on this connection"
                            : "request " + number + " on this kept-alive connection (RFC 9112 §9.3), opened by trace "
                                    + opening));
                    return fields;
                })
                .build());
    }

    /** A request the parser refused never got a trace of its own: it gets one here, for its error response. */
    public void requestRefused(String traceId, String violation, String rule, String reason) {
        requests++;
        if (!recorder.enabled()) {
            return;
        }
        if (requests == 1) {
            openingTraceId = traceId;
            recordOpening(traceId);
        }
        long now = System.nanoTime();
        recorder.record(recorder.hop(traceId, Protocol.HTTP, Direction.RECEIVED)
                .summary("refused: " + violation)
                .peer(peer)
                .timing(now, now)
                .field(Field.info("Refused", violation + (rule == null ? "" : " (" + rule + ")")))
                .field(Field.info("Reason", reason))
                .build());
    }

    /** A response head was handed to the pipeline between {@code startNanos} and {@code endNanos}. */
    public void responseSent(String traceId, HttpResponseHead head, long startNanos, long endNanos) {
        if (!recorder.enabled()) {
            return;
        }
        // the head is an immutable value: it is encoded again, byte for byte, only if someone reads this hop
        recorder.record(recorder.hop(traceId, Protocol.HTTP, Direction.SENT)
                .summary("HTTP/1.1 " + head.status().code() + " " + head.status().reason())
                .peer(peer)
                .timing(startNanos, Math.max(startNanos, endNanos))
                .fields(() -> HttpHeadFields.responseHead(ResponseHeadEncoder.toBytes(head)))
                .build());
    }

    private void recordOpening(String traceId) {
        recorder.record(recorder.hop(traceId, Protocol.TCP, Direction.RECEIVED)
                .summary("accept " + peer + " -> " + local)
                .peer(peer)
                .timing(acceptNanos, acceptNanos)
                .field(Field.info("Local address", local))
                .field(Field.info("Remote address", peer))
                .field(Field.info("Handshake", "SYN received, SYN-ACK sent, ACK received by the kernel, "
                        + "then accept(2) (RFC 9293 §3.5)"))
                .build());
        if (tlsFields != null) {
            recorder.record(recorder.hop(traceId, Protocol.TLS, Direction.RECEIVED)
                    .summary(tlsSummary)
                    .peer(peer)
                    .timing(acceptNanos, Math.max(acceptNanos, tlsDoneNanos))
                    .fields(tlsFields)
                    .build());
        }
    }

    private static String hostPort(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
