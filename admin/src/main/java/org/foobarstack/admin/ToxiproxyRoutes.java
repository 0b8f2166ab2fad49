package org.foobarstack.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Objects;
import org.foobarstack.admin.StackControl.ControlException;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.toxics.Toxic;

/**
 * Toxiproxy's HTTP API (its README's "HTTP API" section), path for path, so that its clients (toxiproxy-java, the
 * Go and Ruby clients, {@code toxiproxy-cli}) drive the stack's proxies:
 *
 * <pre>
 *   GET    /version                          {"version": "2.6.0"}
 *   GET    /proxies                          every proxy, by name
 *   POST   /proxies                          make one: {"name", "listen", "upstream", "enabled"}; 201
 *   POST   /populate                         make or replace several: a JSON array of those; 201 {"proxies": [...]}
 *   GET    /proxies/{proxy}                  one proxy, with its toxics
 *   POST   /proxies/{proxy}                  change listen, upstream or enabled (PATCH too); enabled=false stops
 *                                            listening and closes its connections
 *   DELETE /proxies/{proxy}                  delete it; 204
 *   GET    /proxies/{proxy}/toxics           its toxics, in order
 *   POST   /proxies/{proxy}/toxics           add one (name, type, stream, toxicity, attributes); 200 with it
 *   GET    /proxies/{proxy}/toxics/{toxic}   one toxic
 *   POST   /proxies/{proxy}/toxics/{toxic}   change its attributes or toxicity (PATCH too)
 *   DELETE /proxies/{proxy}/toxics/{toxic}   remove it; 204
 *   POST   /reset                            every proxy enabled, every toxic removed; 204
 * </pre>
 *
 * Errors are Toxiproxy's: {@code {"error": "proxy not found", "status": 404}}, 409 for a name taken, 400 for a
 * body it cannot use. The proxies are a {@link ProxyCollection}: the stack's links ({@code app-1_to_db-1}) and
 * those made here.
 *
 * <p>There is no token, as in Toxiproxy: anyone who can connect can change the links. So the server listens on
 * loopback only, and, as Toxiproxy does, refuses browsers (a {@code User-Agent} starting {@code Mozilla/}), since a
 * web page could otherwise send a POST to 127.0.0.1:8474; a request with an {@code Origin} field, which browsers
 * add to a page's cross-origin requests, is refused too ({@link #screen}).
 */
public final class ToxiproxyRoutes implements HttpRoutes {

    /** The Toxiproxy release whose API this follows: PATCH for updates, and the version as JSON. */
    public static final String VERSION = "2.6.0";
    /** A proxy or a toxic is a few hundred bytes of JSON; a populate list of many proxies, some kilobytes. */
    static final long MAX_BODY_BYTES = 1024 * 1024;

    private static final String PROXIES = "/proxies";
    private static final String TOXICS = "toxics";

    private final ProxyCollection proxies;
    private final ToxiproxyJson json = new ToxiproxyJson();

    public ToxiproxyRoutes(ProxyCollection proxies) {
        this.proxies = Objects.requireNonNull(proxies, "proxies");
    }

    @Override
    public AdminResponse screen(HttpRequestHead head) {
        String agent = head.fields().get("user-agent");
        if (agent != null && agent.startsWith("Mozilla/")) {
            return error(HttpStatus.FORBIDDEN, "User agent not allowed: Toxiproxy's API has no token, so it takes no "
                    + "requests from a browser");
        }
        if (head.fields().get("origin") != null) {
            return error(HttpStatus.FORBIDDEN, "a request with an Origin field comes from a web page; Toxiproxy's "
                    + "API has no token, so it takes none");
        }
        return null;
    }

    @Override
    public long bodyLimit(AdminRequest request) {
        return changes(request) ? MAX_BODY_BYTES : 0;
    }

    @Override
    public AdminResponse answerBeforeBody(AdminRequest request, long contentLength) {
        return contentLength > bodyLimit(request) ? bodyTooLarge(request, contentLength + " bytes") : null;
    }

    @Override
    public AdminResponse bodyTooLarge(AdminRequest request, String howBig) {
        return error(HttpStatus.CONTENT_TOO_LARGE, "bad request body: at most " + MAX_BODY_BYTES
                + " bytes of JSON; this one is " + howBig + " (RFC 9110 §15.5.14)");
    }

    @Override
    public AdminResponse handle(AdminRequest request) {
        String[] segments = segments(request.path());
        if (segments == null) {
            return notFound(request.path());
        }
        try {
            return switch (segments.length) {
                case 1 -> top(request, segments[0]);
                case 2 -> segments[0].equals("proxies") ? proxy(request, segments[1]) : notFound(request.path());
                case 3 -> segments[0].equals("proxies") && segments[2].equals(TOXICS)
                        ? toxics(request, segments[1]) : notFound(request.path());
                case 4 -> segments[0].equals("proxies") && segments[2].equals(TOXICS)
                        ? toxic(request, segments[1], segments[3]) : notFound(request.path());
                default -> notFound(request.path());
            };
        } catch (ToxicJson.BadToxic e) {
            return error(HttpStatus.BAD_REQUEST, e.getMessage());
        } catch (ControlException e) {
            return error(HttpStatus.of(e.status()), e.getMessage());
        }
    }

    /** {@code /version}, {@code /proxies}, {@code /populate}, {@code /reset}. */
    private AdminResponse top(AdminRequest request, String what) {
        String method = request.method();
        switch (what) {
            case "version" -> {
                return reads(method) ? ok(json.version(VERSION)) : notAllowed(method, "GET");
            }
            case "proxies" -> {
                if (reads(method)) {
                    return ok(json.proxies(proxies.all()));
                }
                if (method.equals("POST")) {
                    return AdminResponse.json(HttpStatus.CREATED,
                            json.proxy(proxies.create(json.spec(json.read(request.body())))));
                }
                return notAllowed(method, "GET, POST");
            }
            case "populate" -> {
                if (!method.equals("POST")) {
                    return notAllowed(method, "POST");
                }
                return AdminResponse.json(HttpStatus.CREATED,
                        json.populated(proxies.populate(json.specs(json.read(request.body())))));
            }
            case "reset" -> {
                if (!method.equals("POST")) {
                    return notAllowed(method, "POST");
                }
                proxies.reset();
                return AdminResponse.noContent();
            }
            default -> {
                return notFound("/" + what);
            }
        }
    }

    /** {@code /proxies/{proxy}}: show, update (POST or PATCH), delete. */
    private AdminResponse proxy(AdminRequest request, String name) {
        String method = request.method();
        if (reads(method)) {
            return ok(json.proxy(proxies.get(name)));
        }
        if (method.equals("POST") || method.equals("PATCH")) {
            JsonNode body = json.read(request.body());
            if (!body.isObject()) {
                throw new ToxicJson.BadToxic("bad request body: a proxy's change is a JSON object, such as "
                        + "{\"enabled\": false}");
            }
            return ok(json.proxy(proxies.update(name, ToxiproxyJson.string(body, "listen"),
                    ToxiproxyJson.string(body, "upstream"), ToxiproxyJson.bool(body, "enabled"))));
        }
        if (method.equals("DELETE")) {
            proxies.delete(name);
            return AdminResponse.noContent();
        }
        return notAllowed(method, "GET, POST, PATCH, DELETE");
    }

    /** {@code /proxies/{proxy}/toxics}: list, add. */
    private AdminResponse toxics(AdminRequest request, String proxy) {
        String method = request.method();
        if (reads(method)) {
            return ok(json.toxics(proxies.toxics(proxy)));
        }
        if (method.equals("POST")) {
            proxies.get(proxy); // 404 for an unknown proxy before anything is said about the body, as Toxiproxy
            return ok(json.toxic(proxies.addToxic(proxy, ToxicJson.parse(json.read(request.body())))));
        }
        return notAllowed(method, "GET, POST");
    }

    /** {@code /proxies/{proxy}/toxics/{toxic}}: show, update (POST or PATCH), remove. */
    private AdminResponse toxic(AdminRequest request, String proxy, String name) {
        String method = request.method();
        if (reads(method)) {
            return ok(json.toxic(proxies.toxic(proxy, name)));
        }
        if (method.equals("POST") || method.equals("PATCH")) {
            JsonNode change = json.read(request.body());
            if (!change.isObject()) {
                throw new ToxicJson.BadToxic("bad request body: a toxic's change is a JSON object, such as "
                        + "{\"attributes\": {\"latency\": 500}}");
            }
            return ok(json.toxic(proxies.updateToxic(proxy, name, now -> changed(now, change))));
        }
        if (method.equals("DELETE")) {
            proxies.removeToxic(proxy, name);
            return AdminResponse.noContent();
        }
        return notAllowed(method, "GET, POST, PATCH, DELETE");
    }

    /**
     * Toxiproxy's toxic update: the attributes given replace those there, the others stay, and so may the
     * toxicity; the name, type and stream do not change.
     */
    private Toxic changed(Toxic now, JsonNode change) {
        ObjectNode merged = json.toxicNode(now);
        JsonNode attributes = change.path("attributes");
        if (attributes.isObject()) {
            ObjectNode into = (ObjectNode) merged.get("attributes");
            for (Iterator<String> names = attributes.fieldNames(); names.hasNext(); ) {
                String attribute = names.next();
                into.set(attribute, attributes.get(attribute));
            }
        } else if (!attributes.isMissingNode() && !attributes.isNull()) {
            throw new ToxicJson.BadToxic("attributes must be a JSON object");
        }
        if (change.has("toxicity")) {
            merged.set("toxicity", change.get("toxicity"));
        }
        return ToxicJson.parse(merged);
    }

    /** A request that may carry a body: POST or PATCH, on any path. */
    private static boolean changes(AdminRequest request) {
        return request.method().equals("POST") || request.method().equals("PATCH");
    }

    private static boolean reads(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    /** The path's segments, percent-decoded; null for a path with an empty segment or a broken escape. */
    private static String[] segments(String path) {
        if (!path.startsWith("/") || path.length() == 1) {
            return null;
        }
        String[] raw = path.substring(1).split("/", -1);
        String[] decoded = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            decoded[i] = raw[i].isEmpty() ? null : AdminRoutes.percentDecoded(raw[i]);
            if (decoded[i] == null) {
                return null;
            }
        }
        return decoded;
    }

    private AdminResponse ok(String body) {
        return AdminResponse.json(HttpStatus.OK, body);
    }

    private AdminResponse notFound(String path) {
        return error(HttpStatus.NOT_FOUND, "not found: " + path + " (Toxiproxy's API: /version, /proxies, "
                + "/proxies/{proxy}, /proxies/{proxy}/toxics, /proxies/{proxy}/toxics/{toxic}, /populate, /reset)");
    }

    private AdminResponse notAllowed(String method, String allowed) {
        return error(HttpStatus.METHOD_NOT_ALLOWED, method + " is not one of " + allowed + " here "
                + "(RFC 9110 §15.5.6)").withField("Allow", allowed);
    }

    private AdminResponse error(HttpStatus status, String message) {
        return AdminResponse.json(status, json.error(status.code(), message));
    }
}
