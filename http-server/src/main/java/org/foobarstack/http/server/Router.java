package org.foobarstack.http.server;

import org.foobarstack.httpcodec.parser.RequestTarget;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides who answers a request, in this order:
 *
 * <ol>
 *   <li>the {@link VirtualHosts}, which may redirect foobar.com to www.foobar.com;</li>
 *   <li>{@code OPTIONS *}, a question about the server as a whole (RFC 9110 §9.3.7);</li>
 *   <li>the first route whose path prefix matches, e.g. {@code /api/} to the app tier;</li>
 *   <li>the fallback, the static files.</li>
 * </ol>
 * Routes are added before the server starts; {@code /dns-query} or any other endpoint is one more route.
 */
public final class Router implements RequestHandler {

    /** One prefix and its handler; "/api/" also matches "/api" itself. */
    public record Route(String prefix, RequestHandler handler) {
        boolean matches(String path) {
            return path.startsWith(prefix)
                    || (prefix.endsWith("/") && path.equals(prefix.substring(0, prefix.length() - 1)));
        }
    }

    private final VirtualHosts virtualHosts;
    private final List<Route> routes = new ArrayList<>();
    private final RequestHandler fallback;

    public Router(VirtualHosts virtualHosts, RequestHandler fallback) {
        this.virtualHosts = virtualHosts;
        this.fallback = fallback;
    }

    public Router route(String prefix, RequestHandler handler) {
        routes.add(new Route(prefix, handler));
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    @Override
    public void handle(HttpExchange exchange) throws Exception {
        if (virtualHosts.redirectIfNeeded(exchange)) {
            return;
        }
        RequestTarget target = exchange.request().target();
        if (target.form() == RequestTarget.Form.ASTERISK) {
            exchange.respond(HttpResponseHead.builder(HttpStatus.NO_CONTENT)
                    .add("Allow", "GET, HEAD, POST, OPTIONS"), io.netty.buffer.Unpooled.EMPTY_BUFFER);
            return;
        }
        for (Route route : routes) {
            if (route.matches(target.path())) {
                route.handler().handle(exchange);
                return;
            }
        }
        fallback.handle(exchange);
    }
}
