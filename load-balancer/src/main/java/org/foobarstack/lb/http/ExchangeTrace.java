package org.foobarstack.lb.http;

import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.request.RequestHead;
import org.foobarstack.httpcodec.request.RequestHeadEncoder;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;
import org.foobarstack.lb.tls.TlsHandshake;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.fields.HttpHeadFields;

import java.util.ArrayList;
import java.util.List;

/**
 * What the balancer records about one request, as hops of its trace. In order:
 * <ol>
 *   <li>TCP received: the client's connection was accepted (first request of a connection only);</li>
 *   <li>TLS received: the client's handshake, version, cipher suite and SNI (first request of an HTTPS
 *       connection only);</li>
 *   <li>HTTP received: the client's request head, as it arrived (decrypted, on HTTPS);</li>
 *   <li>TCP sent, once per failed attempt: which server could not be reached, why, and what was done next
 *       ("retry 1 of 3 on web-1 in 1000 ms", "redispatch"); a server whose certificate was refused fails
 *       here too ("L6RSP name mismatch: ...");</li>
 *   <li>TLS sent: the handshake with the server, when the balancer re-encrypts and opened a new connection for
 *       this request (a kept-alive one needs none);</li>
 *   <li>HTTP sent: the head forwarded to the chosen server, with the balancer's decision in its summary
 *       ("lb-1 chose web-2 (roundrobin, 2 candidates); web-1 DOWN since 12:01:03 (L4CON ...)") and the headers
 *       the balancer added (X-Forwarded-For, Forwarded, Via, traceparent) in its field tree;</li>
 *   <li>(the web server's hops, then the app server's, under the same trace id);</li>
 *   <li>HTTP sent: the response head as it went to the client, or the balancer's own 301, 502, 503 or 504.</li>
 * </ol>
 *
 * <p>Which legs are encrypted is said on the hops: "Client leg" ("TLS (TLSv1.3, TLS_AES_256_GCM_SHA384)" or
 * "plaintext") and "Server leg" ("TLS, certificate verified for www.foobar.com" or "plaintext"), and, on a
 * balancer with HTTPS, in the forwarded hop's summary: "encrypted from the client to lb-1, plaintext from lb-1
 * to web-1". That sentence is the cost of terminating TLS at the balancer: past it, the request crosses the
 * network readable by anyone on the path, unless the balancer encrypts it again.
 *
 * <p>Every method checks {@link TraceRecorder#enabled()} first and builds nothing when tracing is off.
 */
final class ExchangeTrace {

    static final String PLAINTEXT = "plaintext";

    private final TraceRecorder recorder;
    private final String name;
    private final String clientPeer;
    /** The client's handshake on an HTTPS connection, null on a plain one. */
    private TlsHandshake clientTls;

    ExchangeTrace(TraceRecorder recorder, String balancerName, String clientPeer) {
        this.recorder = recorder;
        this.name = balancerName;
        this.clientPeer = clientPeer;
    }

    /** Whether hops are recorded now: callers skip building what a hop would hold when they are not. */
    boolean enabled() {
        return recorder.enabled();
    }

    /** The client finished its TLS handshake: recorded with the connection's first request. */
    void clientHandshakeDone(TlsHandshake handshake) {
        this.clientTls = handshake;
    }

    /** "TLS (TLSv1.3, TLS_AES_256_GCM_SHA384)" or "plaintext". */
    String clientLeg() {
        return clientTls == null ? PLAINTEXT : "TLS (" + clientTls.describe() + ")";
    }

    /**
     * "encrypted from the client to lb-1, plaintext from lb-1 to web-1": the two legs of a request, as the
     * forwarded hop's summary says them.
     */
    String legs(String server, boolean serverEncrypted) {
        return (clientTls != null ? "encrypted" : "plaintext") + " from the client to " + name + ", "
                + (serverEncrypted ? "encrypted" : "plaintext") + " from " + name + " to " + server;
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
        TlsHandshake tls = clientTls;
        if (tls != null) {
            recorder.record(recorder.hop(traceId, Protocol.TLS, Direction.RECEIVED)
                    .summary("handshake " + tls.version() + " " + tls.cipherSuite()
                            + (tls.serverName() == null ? "" : " SNI " + tls.serverName()))
                    .peer(clientPeer)
                    .timing(tls.startNanos(), tls.endNanos())
                    .field(Field.info("Version", tls.version()))
                    .field(Field.info("Cipher suite", tls.cipherSuite()))
                    .field(Field.info("Server name (SNI)", tls.serverName() == null
                            ? "none sent: the client asked by address (RFC 6066 §3)" : tls.serverName()))
                    .field(Field.info("Certificate", "the site's, held by " + name + " (bind ... ssl crt): the TLS"
                            + " ends here, and what follows is read in plaintext"))
                    .field(Field.info("Client leg", clientLeg()))
                    .build());
        }
    }

    void requestReceived(String traceId, HttpRequestHead head, int requestOnConnection) {
        if (!recorder.enabled()) {
            return;
        }
        long start = head.firstByteNanos() != 0 ? head.firstByteNanos() : System.nanoTime();
        byte[] raw = head.rawHead();
        String clientLeg = clientLeg();
        recorder.record(recorder.hop(traceId, Protocol.HTTP, Direction.RECEIVED)
                .summary(head.requestLine())
                .peer(clientPeer)
                .timing(start, Math.max(start, System.nanoTime()))
                .fields(() -> {
                    List<Field> fields = raw != null ? new ArrayList<>(HttpHeadFields.requestHead(raw)) : new ArrayList<>();
                    fields.add(Field.info("Connection", requestOnConnection == 1 ? "first request on this connection"
                            : "request " + requestOnConnection + " on this kept-alive connection"));
                    fields.add(Field.info("Client leg", clientLeg));
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

    /**
     * A new connection to a server finished its TLS handshake for this request, and the server's certificate
     * passed: the second handshake that re-encrypting costs.
     */
    void serverHandshake(String traceId, String server, String serverAddress, TlsHandshake tls, String serverLeg) {
        if (!recorder.enabled()) {
            return;
        }
        recorder.record(recorder.hop(traceId, Protocol.TLS, Direction.SENT)
                .summary(name + " -> " + server + ": handshake " + tls.version() + " " + tls.cipherSuite() + ", "
                        + "certificate verified for " + tls.serverName())
                .peer(serverAddress)
                .timing(tls.startNanos(), tls.endNanos())
                .field(Field.info("Server", server + " " + serverAddress))
                .field(Field.info("Version", tls.version()))
                .field(Field.info("Cipher suite", tls.cipherSuite()))
                .field(Field.info("Server name (SNI)", tls.serverName()))
                .field(Field.info("Certificate", "verified: it chains to the CA " + name + " trusts and names "
                        + tls.serverName() + " (RFC 9110 §4.3.4)"))
                .field(Field.info("Server leg", serverLeg))
                .build());
    }

    /**
     * @param serverLeg  "TLS, certificate verified for www.foobar.com" or "plaintext"
     * @param sayLegs    whether the summary says which legs are encrypted: on a balancer with HTTPS, where
     *                   the answer is not always "plaintext, plaintext"
     */
    void forwarded(String traceId, String server, String serverAddress, RequestHead head, String decision,
                   String connection, int attempt, long startNanos, String serverLeg, boolean sayLegs) {
        if (!recorder.enabled()) {
            return;
        }
        String clientLeg = clientLeg();
        recorder.record(recorder.hop(traceId, Protocol.HTTP, Direction.SENT)
                .summary(name + " " + decision + (sayLegs
                        ? "; " + legs(server, !serverLeg.equals(PLAINTEXT)) : ""))
                .peer(serverAddress)
                .timing(startNanos, Math.max(startNanos, System.nanoTime()))
                .fields(() -> {
                    List<Field> fields = new ArrayList<>(HttpHeadFields.requestHead(RequestHeadEncoder.toBytes(head)));
                    fields.add(Field.info("Balancer decision", decision));
                    fields.add(Field.info("Server", server + " " + serverAddress));
                    fields.add(Field.info("Attempt", Integer.toString(attempt)));
                    fields.add(Field.info("Connection to the server", connection));
                    fields.add(Field.info("Client leg", clientLeg));
                    fields.add(Field.info("Server leg", serverLeg));
                    return fields;
                })
                .build());
    }

    void responded(String traceId, HttpResponseHead head, String note, long startNanos) {
        if (!recorder.enabled()) {
            return;
        }
        String clientLeg = clientLeg();
        recorder.record(recorder.hop(traceId, Protocol.HTTP, Direction.SENT)
                .summary("HTTP/1.1 " + head.status().code() + " " + head.status().reason()
                        + (note == null ? "" : " (" + note + ")"))
                .peer(clientPeer)
                .timing(startNanos, Math.max(startNanos, System.nanoTime()))
                .fields(() -> {
                    List<Field> fields = new ArrayList<>(HttpHeadFields.responseHead(ResponseHeadEncoder.toBytes(head)));
                    if (note != null) {
                        fields.add(Field.info("Made by the balancer", note));
                    }
                    fields.add(Field.info("Client leg", clientLeg));
                    return fields;
                })
                .build());
    }
}
