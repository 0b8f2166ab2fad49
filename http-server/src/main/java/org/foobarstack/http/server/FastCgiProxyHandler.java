package org.foobarstack.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import org.foobarstack.fastcgi.EndRequestBody;
import org.foobarstack.fastcgi.client.CgiResponseParser;
import org.foobarstack.fastcgi.client.FastCgiCall;
import org.foobarstack.fastcgi.client.FastCgiClient;
import org.foobarstack.fastcgi.client.FastCgiClientException;
import org.foobarstack.fastcgi.client.FastCgiRecordObserver;
import org.foobarstack.fastcgi.client.FastCgiResponseListener;
import org.foobarstack.httpcodec.parser.BodyFraming;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;

import org.foobarstack.trace.TraceRecorder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Passes requests under a prefix (e.g. {@code /api/}) to the app tier over FastCGI, like nginx's
 * {@code fastcgi_pass}:
 *
 * <ol>
 *   <li>Build the CGI params ({@link CgiParams}).</li>
 *   <li>Start the call and stream the body into STDIN as it arrives; when the app tier reads slower than the client
 *       sends, reading from the client pauses (TCP flow control does the rest). A chunked body is the exception: CGI needs
 *       CONTENT_LENGTH up front (RFC 3875 §4.1.2), so it is collected first, within the body limit, as nginx does.</li>
 *   <li>Read STDOUT: the CGI header block becomes the HTTP status and headers ({@link CgiResponseParser}); the rest
 *       streams to the client, with Content-Length when the app gave one, chunked otherwise. When the client reads
 *       slower than the app writes, reading from the app pauses.</li>
 *   <li>Failures: app tier down or broken → 502, overloaded → 503 with {@code Retry-After: 1}, silent → 504;
 *       after the head was sent, the only honest signal left is closing the connection.</li>
 * </ol>
 */
public final class FastCgiProxyHandler implements RequestHandler {

    /** Response fields that belong to one hop, or that this server sets itself. */
    private static final Set<String> DROPPED_FIELDS =
            Set.of("connection", "keep-alive", "transfer-encoding", "date", "server", "content-length");
    private static final int MAX_CGI_HEADER_BYTES = 64 * 1024;
    /**
     * An app tier that refuses a request (OVERLOADED: its workers and queue are full) is busy for now, not broken:
     * the 503 says when to try again (RFC 9110 §10.2.3). One second, as the connection limiter and the
     * application's own 503s say: long enough for a queue to drain, short enough that a person barely notices.
     */
    static final HttpResponseHead.Field RETRY_AFTER = new HttpResponseHead.Field("Retry-After", "1");

    private final FastCgiClient client;
    private final String scriptName;
    private final String documentRoot;
    private final String scriptFilename;

    public FastCgiProxyHandler(FastCgiClient client, String scriptName, String documentRoot, String scriptFilename) {
        this.client = client;
        this.scriptName = scriptName;
        this.documentRoot = documentRoot;
        this.scriptFilename = scriptFilename;
    }

    @Override
    public void handle(HttpExchange exchange) {
        HttpRequestHead request = exchange.request();
        if (request.framing() == BodyFraming.CHUNKED) {
            CompositeByteBuf body = exchange.alloc().compositeBuffer(Integer.MAX_VALUE);
            exchange.readBody(new BodyListener() {
                @Override
                public void onPart(HttpBodyPart part) {
                    if (part.content().isReadable()) {
                        body.addComponent(true, part.content());
                    } else {
                        part.release();
                    }
                    if (part.isLast()) {
                        Upstream upstream = start(exchange, body.readableBytes());
                        upstream.call.writeStdin(body);
                        upstream.call.endStdin();
                    }
                }

                @Override
                public void onAbort(String reason) {
                    body.release();
                }
            });
            return;
        }
        long length = request.framing() == BodyFraming.CONTENT_LENGTH ? request.contentLength() : -1;
        Upstream upstream = start(exchange, length);
        // flow control: when the app tier's connection is full, stop reading the body from the client
        upstream.call.onStdinWritable(() -> exchange.pauseBody(false));
        exchange.readBody(new BodyListener() {
            @Override
            public void onPart(HttpBodyPart part) {
                if (part.content().isReadable()) {
                    upstream.call.writeStdin(part.content());
                } else {
                    part.release();
                }
                if (part.isLast()) {
                    upstream.call.endStdin();
                    exchange.pauseBody(false);
                } else if (!upstream.call.isStdinWritable()) {
                    exchange.pauseBody(true);
                }
            }

            @Override
            public void onAbort(String reason) {
                upstream.call.abort();
            }
        });
    }

    private Upstream start(HttpExchange exchange, long contentLength) {
        String host = VirtualHosts.hostOf(exchange.request());
        CgiParams.ExchangeInfo info = new CgiParams.ExchangeInfo(exchange.localAddress(), exchange.remoteAddress(),
                exchange.isSecure(), exchange.requestId(),
                host.isEmpty() ? exchange.localAddress().getAddress().getHostAddress() : host,
                exchange.server().serverHeader(), exchange.server().config().serverName(),
                exchange.traceContext().child().toHeader());
        Map<String, String> params = CgiParams.build(exchange.request(), scriptName, info, contentLength,
                documentRoot, scriptFilename);
        Upstream upstream = new Upstream(exchange);
        TraceRecorder recorder = exchange.traceRecorder();
        if (recorder.enabled()) {
            InetSocketAddress app = client.address();
            upstream.hops = new FastCgiHops(recorder, exchange.traceContext().traceId(),
                    app.getAddress().getHostAddress() + ":" + app.getPort());
        }
        upstream.call = client.send(exchange.eventLoop(), params, upstream,
                upstream.hops == null ? FastCgiRecordObserver.NONE : upstream.hops);
        exchange.onClientGone(upstream.call::abort);
        exchange.onWritable(upstream.call::resumeResponse);
        return upstream;
    }

    /** The app tier's answer, turned into the HTTP response as it streams in. */
    private static final class Upstream implements FastCgiResponseListener {
        private final HttpExchange exchange;
        private final CgiResponseParser parser;
        private final long startNanos = System.nanoTime();
        private FastCgiCall call;
        private FastCgiHops hops;

        Upstream(HttpExchange exchange) {
            this.exchange = exchange;
            this.parser = new CgiResponseParser(exchange.alloc(), MAX_CGI_HEADER_BYTES);
        }

        @Override
        public void onStdout(ByteBuf data) {
            if (exchange.ended()) {
                data.release();
                return;
            }
            ByteBuf body;
            try {
                body = parser.feed(data);
            } catch (CgiResponseParser.MalformedCgiResponse e) {
                exchange.server().rateLimitedLog().warn("app tier sent a malformed response to {}: {}",
                        exchange.request().requestLine(), e.getMessage());
                call.abort();
                parser.release();
                exchange.server().httpMetrics().upstreamFailed(HttpMetrics.MALFORMED_CGI_RESPONSE);
                exchange.sendError(HttpStatus.BAD_GATEWAY, "the app tier's response is not a CGI response: "
                        + e.getMessage(), "RFC 3875 §6");
                return;
            }
            if (body == null) {
                return;
            }
            if (!exchange.headSent()) {
                sendHead(parser.head());
            }
            if (body.isReadable()) {
                exchange.sendBody(body);
                if (!exchange.isWritable()) {
                    call.pauseResponse();
                }
            } else {
                body.release();
            }
        }

        private void sendHead(CgiResponseParser.Head head) {
            HttpStatus known = HttpStatus.of(head.status());
            HttpStatus status = head.reason() == null ? known : new HttpStatus(head.status(), head.reason());
            HttpResponseHead.Builder http = HttpResponseHead.builder(status);
            long length = -1;
            for (CgiResponseParser.Field field : head.fields()) {
                String lower = field.name().toLowerCase(java.util.Locale.ROOT);
                if (lower.equals("content-length")) {
                    try {
                        length = Long.parseLong(field.value());
                    } catch (NumberFormatException e) {
                        length = -1;
                    }
                }
                if (!DROPPED_FIELDS.contains(lower)) {
                    http.add(field.name(), field.value());
                }
            }
            exchange.sendHead(http, length);
        }

        @Override
        public void onStderr(ByteBuf data) {
            try {
                exchange.server().rateLimitedLog().warn("app tier stderr for {} [{}]: {}",
                        exchange.request().requestLine(), exchange.requestId(),
                        data.toString(StandardCharsets.UTF_8).strip());
            } finally {
                data.release();
            }
        }

        @Override
        public void onEnd(EndRequestBody end) {
            parser.release();
            exchange.server().httpMetrics().upstreamAnswered(startNanos);
            if (exchange.ended()) {
                return;
            }
            if (!exchange.headSent()) {
                exchange.sendError(HttpStatus.BAD_GATEWAY,
                        "the app tier ended the request without a complete CGI header block", "RFC 3875 §6.2");
                return;
            }
            exchange.end();
        }

        @Override
        public void onError(FastCgiClientException error) {
            parser.release();
            exchange.server().httpMetrics().upstreamFailed(error.kind().name());
            if (exchange.ended()) {
                return;
            }
            exchange.server().rateLimitedLog().warn("app tier failed on {} [{}]: {} {}",
                    exchange.request().requestLine(), exchange.requestId(), error.kind(), error.getMessage());
            if (exchange.headSent()) {
                exchange.abort();
                return;
            }
            switch (error.kind()) {
                case TIMEOUT -> exchange.sendError(HttpStatus.GATEWAY_TIMEOUT,
                        "the app tier did not answer in time: " + error.getMessage(), "RFC 9110 §15.6.5");
                case REJECTED -> exchange.sendError(HttpStatus.SERVICE_UNAVAILABLE,
                        error.getMessage(), "FastCGI §5.5", RETRY_AFTER);
                default -> exchange.sendError(HttpStatus.BAD_GATEWAY,
                        "the app tier is unreachable or broke off: " + error.getMessage(), "RFC 9110 §15.6.3");
            }
        }
    }
}
