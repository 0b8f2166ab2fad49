package org.foobarstack.http.server;

import io.netty.buffer.Unpooled;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;

import java.nio.charset.StandardCharsets;

/**
 * {@code GET /health}: what a load balancer's health check asks (HAProxy's {@code option httpchk GET /health}).
 * It answers 200 with the server's name as long as this web server accepts and answers requests, and checks
 * nothing behind it: a check that also asked the app tier and the database would take every web server out of
 * the balancer when the one database blips, which turns a partial outage into a total one. The app tier's
 * failures are seen on real traffic instead (a 5xx counts against the server at the balancer).
 *
 * <p>Exactly {@code /health}: {@code /healthz} or {@code /health/x} are ordinary paths, served as files.
 */
public final class HealthHandler implements RequestHandler {

    public static final String PATH = "/health";

    private final RequestHandler fallback;
    private final String serverName;

    public HealthHandler(String serverName, RequestHandler fallback) {
        this.serverName = serverName;
        this.fallback = fallback;
    }

    @Override
    public void handle(HttpExchange exchange) throws Exception {
        if (!PATH.equals(exchange.request().target().path())) {
            fallback.handle(exchange);
            return;
        }
        String method = exchange.request().method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.sendError(HttpStatus.METHOD_NOT_ALLOWED, "/health answers GET and HEAD", "RFC 9110 §15.5.6");
            return;
        }
        byte[] body = ("{\"status\":\"up\",\"server\":\"" + serverName + "\"}\n").getBytes(StandardCharsets.UTF_8);
        exchange.respond(HttpResponseHead.builder(HttpStatus.OK)
                .add("Content-Type", "application/json")
                .add("Cache-Control", "no-store"), Unpooled.wrappedBuffer(body));
    }
}
