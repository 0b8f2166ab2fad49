package org.foobarstack.admin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import org.foobarstack.httpcodec.response.HttpStatus;

/**
 * The dashboard's window on the monitoring server. In a design with a monitor tier (the {@code secured} design's
 * mon-1), the admin server answers
 *
 * <pre>
 *   GET /api/monitoring/summary                   requests/s, error rate, p99 latency, replication lag per instance
 *   GET /api/monitoring/hosts                     each host: last push, up or down
 *   GET /api/monitoring/alerts                    the alert rules, their state and their alerts
 *   GET /api/monitoring/rates?span=S&amp;step=T     requests/s per instance over time, from the stored series
 *   GET /api/monitoring/series?host=H&amp;metric=M    the points of one metric of one host
 * </pre>
 *
 * by asking the monitoring server for the same path ({@code /api/summary}...) and passing on its status and body
 * as they are: the JSON is the monitoring server's own, described in monitoring/README.md.
 *
 * <p>Why go through the admin server rather than let the page ask the monitoring server itself? The page may only
 * talk to the host it came from (its Content-Security-Policy says {@code connect-src 'self'}, and a browser would
 * in any case refuse to read another origin's answer without CORS headers), and in the secured design the
 * monitoring host's firewall lets in only this machine's own address, not whatever a browser elsewhere would come
 * from. A reverse proxy in front of several back-end services is the usual answer to both.
 *
 * <p>The answers when it cannot ask: 404 when the design has no monitoring server, 502 Bad Gateway (RFC 9110
 * §15.6.3) naming the monitoring server's address when it does not answer, or not within {@link #TIMEOUT}.
 *
 * <p>Threads: the request to the monitoring server blocks the admin worker thread that runs the route, for
 * {@link #TIMEOUT} at most, as a topology probe does. That is acceptable because routes never run on the event
 * loop (see {@link AdminServer}): the sockets of the other connections keep being served meanwhile.
 */
final class MonitoringProxy {

    static final String PREFIX = "/api/monitoring/";
    /** The routes passed on, each to the monitoring server's {@code /api/<route>}. */
    static final List<String> ROUTES = List.of("summary", "rates", "hosts", "alerts", "series");
    /**
     * How long to wait for a connection, and then for the answer. The monitoring server answers from memory in a
     * few milliseconds; one that takes a second is in trouble, and the dashboard asks again two seconds later.
     */
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final String NO_MONITORING_SERVER = "this design has no monitoring server (add a host with a monitor "
            + "tier, as the secured design does)";

    private final AdminJson json;
    /**
     * Made on first use: most designs have no monitoring server, and an HttpClient starts a thread of its own
     * (a daemon, which ends once the client is garbage: Java 17's HttpClient has no close()).
     */
    private HttpClient client;

    MonitoringProxy(AdminJson json) {
        this.json = json;
    }

    /**
     * The answer to a request under {@link #PREFIX}.
     *
     * @param server the monitoring server's address, empty when the running design has none
     */
    AdminResponse handle(AdminRequest request, Optional<InetSocketAddress> server) {
        String route = request.path().substring(PREFIX.length());
        if (!ROUTES.contains(route)) {
            return error(HttpStatus.NOT_FOUND, "no such page: " + request.path() + " (the monitoring routes are "
                    + PREFIX + String.join(", " + PREFIX, ROUTES) + ")");
        }
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return error(HttpStatus.METHOD_NOT_ALLOWED, request.path() + " answers GET and HEAD, not "
                    + request.method() + " (RFC 9110 §15.5.6)").withField("Allow", AdminRoutes.ALLOWED_METHODS);
        }
        if (server.isEmpty()) {
            return error(HttpStatus.NOT_FOUND, NO_MONITORING_SERVER);
        }
        return forward(server.get(), "/api/" + route + queryOf(request.query()));
    }

    /**
     * Asks the monitoring server for {@code pathAndQuery} and answers what it answered. A HEAD is asked as a GET:
     * the connection handler leaves the body out, and the Content-Length stays the GET's, as RFC 9110 §9.3.2 wants.
     */
    private AdminResponse forward(InetSocketAddress server, String pathAndQuery) {
        String where = hostPort(server);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + where + pathAndQuery))
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<byte[]> response;
        try {
            response = client().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            // checked before its parent, HttpTimeoutException: no connection at all is a different story
            return unreachable(where, "no connection within " + TIMEOUT.toMillis() + " ms (is a firewall dropping "
                    + "the packets?)");
        } catch (HttpTimeoutException e) {
            return unreachable(where, "connected, but no answer within " + TIMEOUT.toMillis() + " ms");
        } catch (ConnectException e) {
            return unreachable(where, "connection refused (is its host running?)");
        } catch (IOException e) {
            return unreachable(where, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the admin server is stopping: let the worker see it
            return unreachable(where, "interrupted while waiting for it");
        }
        String contentType = response.headers().firstValue("Content-Type").orElse(AdminResponse.JSON);
        return new AdminResponse(HttpStatus.of(response.statusCode()), contentType, response.body(),
                AdminResponse.NO_STORE, List.of());
    }

    private AdminResponse unreachable(String where, String why) {
        return error(HttpStatus.BAD_GATEWAY, "the monitoring server at " + where + " did not answer: " + why);
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    // plain HTTP/1.1: the default, HTTP/2, would first ask the monitoring server to upgrade the
                    // connection (Upgrade: h2c), which it does not do; saying so saves the header and the guess
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        }
        return client;
    }

    /**
     * The query again, for the monitoring server: {@code ?host=server-1&metric=foobar_http_requests_total}. The
     * admin server has decoded it already, so each name and value is encoded once more on the way out.
     */
    static String queryOf(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringJoiner joined = new StringJoiner("&", "?", "");
        query.forEach((name, value) -> joined.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return joined.toString();
    }

    /**
     * "127.0.0.30:9300", or "[::1]:9300" (an IPv6 address is bracketed in a URI, RFC 3986 §3.2.2). Always the
     * address, never a name the InetSocketAddress may carry ("localhost"): that is what is connected to, and what
     * an error message should show.
     */
    static String hostPort(InetSocketAddress address) {
        if (address.isUnresolved()) {
            return address.getHostString() + ":" + address.getPort();
        }
        String ip = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    private AdminResponse error(HttpStatus status, String message) {
        return AdminResponse.json(status, json.error(status.code(), message));
    }
}
