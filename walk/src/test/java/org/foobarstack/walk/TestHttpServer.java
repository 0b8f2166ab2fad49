package org.foobarstack.walk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceJson;
import org.foobarstack.trace.TraceRecorder;

/**
 * The JDK's HTTP server dressed as a tiny two-tier stack: {@code /} and {@code /echo} record hops the way
 * the web and app tiers will (web: request received; app: FastCGI and SQL), {@code /api/traces/{id}}
 * serves them as the admin server will, and {@code PUT /api/traces/{id}/packets} takes a walk's packets.
 */
final class TestHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final TraceHub hub = new TraceHub();
    private final TraceRecorder web = hub.newRecorder("web", "web-1");
    private final TraceRecorder app = hub.newRecorder("app", "app-1");
    private final TraceJson json = new TraceJson();
    final AtomicReference<String> lastTraceparent = new AtomicReference<>();
    final AtomicReference<String> lastBody = new AtomicReference<>();
    final AtomicReference<String> lastCustomHeader = new AtomicReference<>();
    /** The last {@code PUT /api/traces/{id}/packets}: its path, its Authorization header and its body. */
    final AtomicReference<String> lastPacketsPath = new AtomicReference<>();
    final AtomicReference<String> lastPacketsAuthorization = new AtomicReference<>();
    final AtomicReference<String> lastPacketsBody = new AtomicReference<>();

    TestHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::page);
        server.createContext("/api/traces/", this::traces);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void page(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        String header = exchange.getRequestHeaders().getFirst(TraceContext.HEADER);
        lastTraceparent.set(header);
        lastCustomHeader.set(exchange.getRequestHeaders().getFirst("X-Learner"));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        lastBody.set(body);
        TraceContext context = TraceContext.parseOrFresh(header);
        String line = exchange.getRequestMethod() + " " + exchange.getRequestURI() + " HTTP/1.1";
        web.record(web.hop(context.traceId(), Protocol.HTTP, Direction.RECEIVED).summary(line)
                .timing(start, System.nanoTime())
                .field(Field.info("Request line", line)).build());
        long fcgi = System.nanoTime();
        app.record(app.hop(context.traceId(), Protocol.FASTCGI, Direction.RECEIVED)
                .summary("BEGIN_REQUEST id=1 role=RESPONDER").timing(fcgi, System.nanoTime())
                .field(Field.of("Version", 0, 1, "1")).build());
        long sql = System.nanoTime();
        app.record(app.hop(context.traceId(), Protocol.SQL, Direction.SENT)
                .summary("SELECT id, author, body FROM messages /* traceparent */").timing(sql, System.nanoTime())
                .field(Field.info("Rows", "2")).build());

        boolean echo = exchange.getRequestURI().getPath().equals("/echo");
        byte[] response = (echo ? "you sent: " + body : "hello from the test server\nsecond line").getBytes(
                StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(echo ? 201 : 200, response.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response);
        }
    }

    private void traces(HttpExchange exchange) throws IOException {
        if (exchange.getRequestMethod().equals("PUT") && exchange.getRequestURI().getPath().endsWith("/packets")) {
            // as the admin server takes a walk's packets: stored, 204
            lastPacketsPath.set(exchange.getRequestURI().getPath());
            lastPacketsAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            lastPacketsBody.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            return;
        }
        String id = exchange.getRequestURI().getPath().substring("/api/traces/".length());
        Trace trace = hub.trace(id);
        byte[] body = json.write(trace).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(trace.isEmpty() ? 404 : 200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
