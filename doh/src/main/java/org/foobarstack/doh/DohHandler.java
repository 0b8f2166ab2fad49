package org.foobarstack.doh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.foobarstack.doh.DnsForwarder.ForwardException;
import org.foobarstack.doh.DnsForwarder.Leg;
import org.foobarstack.doh.DnsForwarder.Outcome;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.response.ErrorPage;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.http.server.BodyListener;
import org.foobarstack.http.server.HttpExchange;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.http.server.RequestHandler;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.DnsTraceOption;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.fields.DnsFields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * DNS over HTTPS (RFC 8484) on the web tier: {@code /dns-query} takes a DNS query inside an HTTP
 * request, asks our DNS server with a real DNS query, and sends the DNS answer back as the HTTP
 * response body. This is how a browser, which never asks a DNS server on port 5300, can still
 * resolve www.foobar.com through our DNS tier.
 *
 * <p>One request, step by step:
 * <ol>
 *   <li>The path must be exactly {@code /dns-query}; the method GET (or HEAD) or POST, anything
 *       else is 405 with {@code Allow}.</li>
 *   <li>The DNS query: for GET, the {@code dns} query parameter, base64url without padding
 *       (RFC 8484 §4.1, RFC 4648 §5); for POST, the body, sent as
 *       {@code Content-Type: application/dns-message} (otherwise 415), at most 65535 bytes
 *       (otherwise 413). It must parse as a DNS message with QR clear (otherwise 400).</li>
 *   <li>On a worker thread, never on the event loop: {@link DnsForwarder} asks the DNS server over
 *       UDP, and again over TCP if the answer was truncated. Nothing answering is 502; no answer in
 *       time is 504.</li>
 *   <li>The answer goes back with the ID the client sent (RFC 8484 §4.1 asks DoH clients to send
 *       ID 0, for HTTP caching), as {@code application/dns-message}, status 200 whatever the DNS
 *       rcode (RFC 8484 §4.2.1), with {@code Cache-Control: max-age} no longer than the smallest
 *       TTL in it (RFC 8484 §5.1, {@link CacheLifetime}).</li>
 *   <li>The DNS messages sent to and received from the DNS server are recorded as hops under the
 *       HTTP request's trace ({@link HttpExchange#traceContext()}, adopted from its {@code traceparent} or fresh), and one log line
 *       is written on {@code org.foobarstack.doh}.</li>
 * </ol>
 * The route serves on the web tier's HTTP port as well as on its HTTPS port; RFC 8484 §5 requires
 * HTTPS of DoH, and browsers only use an {@code https://} template, but curl and the tests can see
 * the same exchange in clear on the HTTP port.
 *
 * <p>{@link #close()} stops the worker threads (they are daemon threads, so a forgotten close does
 * not keep the JVM alive).
 */
public final class DohHandler implements RequestHandler, AutoCloseable {

    /** The path of the endpoint, as in the URI template {@code https://host:8443/dns-query{?dns}}. */
    public static final String PATH = "/dns-query";
    /** The media type of a DNS message in HTTP (RFC 8484 §6). */
    public static final String MEDIA_TYPE = "application/dns-message";
    /** Methods this endpoint answers, for the Allow header of a 405 (RFC 9110 §10.2.1). */
    public static final String ALLOWED_METHODS = "GET, HEAD, POST";
    /** The name of the query parameter of a GET query (RFC 8484 §4.1). */
    static final String DNS_PARAMETER = "dns";
    /** Logger of the one line per query. */
    public static final String LOGGER = "org.foobarstack.doh";

    /** Questions asked at once; more wait in the queue, and beyond it the client gets 503. */
    private static final int WORKERS = 8;
    private static final int QUEUE = 256;
    private static final int HEADER_LENGTH = 12;

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final DnsForwarder forwarder;
    private final TraceRecorder recorder;
    private final ThreadPoolExecutor workers;
    private final RateLimitedLog problemLog = new RateLimitedLog(log, RateLimitedLog.Policy.FIVE_PER_SECOND);

    /**
     * @param dnsServer where our DNS server listens (UDP and TCP on the same port, {@code DnsServer.udpAddress()})
     * @param recorder  the web tier's recorder, so the DNS hops join the HTTP request's trace; null records nothing
     * @param timeout   how long to wait for the DNS server before answering 504
     */
    public DohHandler(InetSocketAddress dnsServer, TraceRecorder recorder, Duration timeout) {
        this(dnsServer, recorder, timeout, null);
    }

    /**
     * @param sourceAddress the address the questions leave from (the web server's host), or null to let the kernel
     *                      choose: the name server then sees which host asked
     */
    public DohHandler(InetSocketAddress dnsServer, TraceRecorder recorder, Duration timeout,
                      java.net.InetAddress sourceAddress) {
        Objects.requireNonNull(dnsServer, "dnsServer");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.forwarder = new DnsForwarder(dnsServer, timeout, sourceAddress);
        this.recorder = recorder;
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "doh-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        workers.allowCoreThreadTimeOut(true);
    }

    /** Without tracing. */
    public DohHandler(InetSocketAddress dnsServer, Duration timeout) {
        this(dnsServer, null, timeout);
    }

    public InetSocketAddress dnsServer() {
        return forwarder.server();
    }

    @Override
    public void handle(HttpExchange exchange) {
        HttpRequestHead request = exchange.request();
        // Step 1: path and method.
        if (!PATH.equals(request.target().path())) {
            reject(exchange, DohProblem.NOT_FOUND, request.target().path());
            return;
        }
        switch (request.method()) {
            case "GET", "HEAD" -> fromQueryParameter(exchange);
            case "POST" -> fromBody(exchange);
            default -> reject(exchange, DohProblem.METHOD_NOT_ALLOWED, request.method());
        }
    }

    // ------------------------------------------------------------------ step 2: the DNS query

    private void fromQueryParameter(HttpExchange exchange) {
        exchange.readBody(BodyListener.discard());
        String encoded = queryParameter(exchange.request().target().query(), DNS_PARAMETER);
        if (encoded == null) {
            reject(exchange, DohProblem.MISSING_DNS_PARAMETER, exchange.request().target().raw());
            return;
        }
        byte[] query;
        try {
            query = Base64.getUrlDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            reject(exchange, DohProblem.BAD_BASE64URL, e.getMessage());
            return;
        }
        if (query.length > DnsForwarder.MAX_MESSAGE) {
            reject(exchange, DohProblem.TOO_LARGE, query.length + " bytes");
            return;
        }
        ask(exchange, query);
    }

    /** The value of one parameter of an application/x-www-form-urlencoded query, or null. */
    static String queryParameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                try {
                    // base64url needs no percent-encoding, but a client may still encode, e.g. padding as %3D
                    return URLDecoder.decode(value, StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return "%";     // a broken escape: not base64url either
                }
            }
        }
        return null;
    }

    private void fromBody(HttpExchange exchange) {
        HttpRequestHead request = exchange.request();
        String contentType = request.fields().get("content-type");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals(MEDIA_TYPE)) {
            exchange.readBody(BodyListener.discard());
            reject(exchange, DohProblem.UNSUPPORTED_MEDIA_TYPE,
                    contentType == null ? "no Content-Type" : "Content-Type: " + contentType);
            return;
        }
        if (request.contentLength() > DnsForwarder.MAX_MESSAGE) {
            // refused from the head alone, before the client sends the body (or is invited to)
            reject(exchange, DohProblem.TOO_LARGE, "Content-Length: " + request.contentLength());
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        exchange.readBody(new BodyListener() {
            private boolean done;

            @Override
            public void onPart(HttpBodyPart part) {
                try {
                    if (done) {
                        return;
                    }
                    ByteBuf content = part.content();
                    if (body.size() + content.readableBytes() > DnsForwarder.MAX_MESSAGE) {
                        done = true;
                        reject(exchange, DohProblem.TOO_LARGE, "more than " + DnsForwarder.MAX_MESSAGE + " bytes");
                        return;
                    }
                    content.readBytes(body, content.readableBytes());
                    if (part.isLast()) {
                        done = true;
                        ask(exchange, body.toByteArray());
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("writing to memory cannot fail", e);
                } finally {
                    part.release();
                }
            }
        });
    }

    // ------------------------------------------------------------------ step 3: ask the DNS server

    private void ask(HttpExchange exchange, byte[] query) {
        Message parsed = parseQuery(query);
        if (parsed == null) {
            reject(exchange, DohProblem.NOT_A_DNS_QUERY, query.length + " bytes that do not parse as a DNS query");
            return;
        }
        TraceContext trace = exchange.traceContext();
        String traceId = trace.traceId();
        // The DNS server files its own hops under this request's trace when the query names it (an EDNS option
        // beside the client's own OPT record; a query without EDNS is forwarded byte for byte).
        byte[] forwarded = DnsTraceOption.addToExistingOpt(parsed, trace) ? parsed.toWire() : query;
        String question = question(parsed);
        long started = System.nanoTime();
        try {
            workers.execute(() -> {
                Outcome outcome = null;
                ForwardException failure = null;
                try {
                    outcome = forwarder.ask(forwarded);
                } catch (ForwardException e) {
                    failure = e;
                }
                record(traceId, exchange, failure == null ? outcome.legs() : failure.legs());
                Outcome answered = outcome;
                ForwardException failed = failure;
                try {
                    exchange.eventLoop().execute(() -> {
                        if (exchange.ended()) {
                            return;     // the client went away meanwhile
                        }
                        if (failed != null) {
                            reject(exchange, failed.problem(), question + ": " + failed.getMessage());
                        } else {
                            answer(exchange, question, answered, started);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    // the web tier is shutting down and its event loop takes no more work: nobody to answer
                }
            });
        } catch (RejectedExecutionException e) {
            reject(exchange, DohProblem.BUSY, QUEUE + " queries waiting");
        }
    }

    /** The query as dnsjava reads it, or null when it is not a DNS query (too short, QR set, does not parse). */
    private static Message parseQuery(byte[] query) {
        if (query.length < HEADER_LENGTH || (query[2] & 0x80) != 0) {
            return null;
        }
        try {
            return new Message(query);
        } catch (IOException | RuntimeException e) {
            // dnsjava refuses some values with unchecked exceptions (InvalidTTLException for a TTL above
            // 2^31 - 1, among others): still bytes that are not a query, a 400, not a failure of ours
            return null;
        }
    }

    private static String question(Message query) {
        Record q = query.getQuestion();
        return q == null ? "(no question)" : q.getName() + " " + Type.string(q.getType());
    }

    // ------------------------------------------------------------------ step 4: the answer

    private void answer(HttpExchange exchange, String question, Outcome outcome, long started) {
        byte[] answer = outcome.answer();
        long maxAge = CacheLifetime.maxAgeSeconds(answer);
        exchange.respond(HttpResponseHead.builder(HttpStatus.OK)
                        .add("Content-Type", MEDIA_TYPE)
                        .add("Cache-Control", "max-age=" + maxAge),
                Unpooled.wrappedBuffer(answer));
        if (log.isInfoEnabled()) {
            Leg last = outcome.legs().get(outcome.legs().size() - 1);
            log.info("doh {} {} {} -> {} answers={} via {} {} max-age={} time={}ms", peer(exchange),
                    exchange.request().method(), question, Rcode.string(answer[3] & DnsFields.RCODE),
                    ((answer[6] & 0xff) << 8) | (answer[7] & 0xff), last.transport().toLowerCase(Locale.ROOT),
                    DnsForwarder.hostPort(forwarder.server()), maxAge,
                    String.format(Locale.ROOT, "%.3f", (System.nanoTime() - started) / 1e6));
        }
    }

    private void reject(HttpExchange exchange, DohProblem problem, String detail) {
        if (exchange.headSent()) {
            exchange.abort();
            return;
        }
        problemLog.warn("doh {} {}: {} {} ({}): {}", peer(exchange), exchange.request().requestLine(),
                problem.status().code(), problem.name(), problem.rule(), detail);
        byte[] page = ErrorPage.html(problem.status(), problem.description() + " (" + detail + ")", problem.rule())
                .getBytes(StandardCharsets.UTF_8);
        HttpResponseHead.Builder head = HttpResponseHead.builder(problem.status())
                .add("Content-Type", "text/html; charset=utf-8")
                .add("Cache-Control", "no-store");
        if (problem == DohProblem.METHOD_NOT_ALLOWED) {
            head.add("Allow", ALLOWED_METHODS);
        }
        exchange.respond(head, Unpooled.wrappedBuffer(page));
    }

    // ------------------------------------------------------------------ step 5: the hops

    private void record(String traceId, HttpExchange exchange, List<Leg> legs) {
        if (recorder == null || !recorder.enabled()) {
            return;
        }
        String server = DnsForwarder.hostPort(forwarder.server());
        for (Leg leg : legs) {
            boolean sent = leg.way() == DnsForwarder.Way.SENT;
            boolean tcp = leg.transport().equals("TCP");
            List<Field> fields = new ArrayList<>();
            fields.add(Field.info("Transport", tcp ? "TCP, length-prefixed (RFC 1035 §4.2.2, RFC 7766)"
                    : "UDP, one datagram (RFC 1035 §4.2.1)"));
            fields.add(Field.info("DNS server", server));
            fields.add(Field.info("For", "DoH " + exchange.request().method() + " " + PATH + " from " + peer(exchange)
                    + " (RFC 8484)"));
            List<Field> message = DnsFields.of(leg.wire());
            if (tcp) {
                fields.add(Field.of("Length", 0, 2, leg.wire().length + " bytes follow (RFC 1035 §4.2.2)"));
                for (Field f : message) {
                    fields.add(f.shifted(2));
                }
            } else {
                fields.addAll(message);
            }
            recorder.record(recorder.hop(traceId, Protocol.DNS, sent ? Direction.SENT : Direction.RECEIVED)
                    .summary((sent ? querySummary(leg.wire()) : answerSummary(leg.wire())) + " over " + leg.transport())
                    .peer(server)
                    .timing(leg.startNanos(), leg.endNanos())
                    .fields(fields)
                    .build());
        }
    }

    private static String querySummary(byte[] wire) {
        Message m = parseQuery(wire);
        return "query " + (m == null ? "(unreadable)" : question(m));
    }

    private static String answerSummary(byte[] wire) {
        int flags = ((wire[2] & 0xff) << 8) | (wire[3] & 0xff);
        int answers = ((wire[6] & 0xff) << 8) | (wire[7] & 0xff);
        return "answer " + Rcode.string(flags & DnsFields.RCODE)
                + ((flags & DnsFields.AA) != 0 ? ", aa" : "")
                + ((flags & DnsFields.TC) != 0 ? ", tc" : "")
                + ", " + answers + (answers == 1 ? " answer" : " answers");
    }

    private static String peer(HttpExchange exchange) {
        InetSocketAddress remote = exchange.remoteAddress();
        return remote == null ? "-" : DnsForwarder.hostPort(remote);
    }

    /** Stops the worker threads; queries in flight are abandoned. */
    @Override
    public void close() {
        workers.shutdownNow();
    }

    @Override
    public String toString() {
        return "DohHandler[" + PATH + " -> " + DnsForwarder.hostPort(forwarder.server()) + "]";
    }
}
