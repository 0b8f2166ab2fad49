package org.foobarstack.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceHub;

/**
 * Which answer each path gets. Reading is open to anyone on the machine; changing anything needs the stack's
 * token.
 *
 * <pre>
 *   GET /metrics                  Prometheus text exposition 0.0.4 of the stack's metrics
 *   GET /health                   every tier up or down; 200 when all are up, else 503
 *   GET /api/topology             the hosts, their tiers, up or down, and the balancers' view of their servers
 *   GET /api/traces?limit=N       the newest N requests (default 50, at most 500), newest first
 *   GET /api/traces/{id}          one trace with all its hops and fields; {id} may be the 8-digit request id
 *   PUT /api/traces/{id}/packets  store what "walk --json --packets" captured for that trace (JSON, at most 2 MiB,
 *                                 the last 16 traces kept); needs the token; 204
 *   GET /api/traces/{id}/packets  those packets, as they were sent; 404 when the trace has none
 *   GET /api/hops?from=web/web-1:12,app/app-1:30   every recorder's hops since the given positions (0 for a recorder
 *                                 not named; a recorder is its tier and instance): how a supervisor follows the
 *                                 tiers of a host that runs in another process
 *   POST /api/hosts/{host}/{act}  kill, start, drain or ready a host; needs "Authorization: Bearer <token>"
 *   PUT /api/demo                 store the report of "foobar-stack demo spof", "demo deploy" or "demo scale"
 *                                 (JSON, at most 4 MiB), replacing the last one; needs "Authorization: Bearer
 *                                 <token>"; 204
 *   GET /api/demo                 that report, as it was sent; 404 until a demo has reported
 *   POST /api/deploy?version=v2&strategy=rolling   start a deploy (all-at-once, rolling, blue-green); needs the
 *                                 token; 202 Accepted, Location: /api/operation
 *   POST /api/scale?role=web&count=3               start bringing the web servers to 3; needs the token; 202
 *   GET /api/links                every link between two tiers with its proxy's addresses and toxics, in a stack
 *                                 started with run --toxics; 404 without
 *   POST /api/links/{from}->{to}/toxics          add a toxic, Toxiproxy's JSON ({"type": "latency",
 *                                 "attributes": {"latency": 200}}, see {@link ToxicJson}); needs the token; 200
 *                                 with the link; "->" may come as "-%3E"
 *   DELETE /api/links/{from}->{to}/toxics/{name} remove it again; needs the token; 200 with the link
 *   GET /api/operation            the running or last deploy or scaling, with its steps so far; 404 before any
 *   GET /api/monitoring/summary   the monitoring server's /api/summary, /api/hosts, /api/alerts and
 *   GET /api/monitoring/hosts     /api/series?host=H&amp;metric=M, passed on as it answers them, in a design with a
 *   GET /api/monitoring/alerts    monitor tier; 404 without one, 502 when it does not answer (see
 *   GET /api/monitoring/series    {@link MonitoringProxy})
 *   GET /  (and its files)        the dashboard page
 * </pre>
 *
 * A known path with another method gets 405 and {@code Allow} (RFC 9110 §15.5.6); an unknown path gets 404. A
 * host action or a demo report without the token gets 401 with {@code WWW-Authenticate: Bearer} (RFC 6750 §3),
 * with a wrong one 403. The token is written into the stack's data directory when it starts, readable by its
 * owner only, so that another program on the machine (or a web page in a browser, which cannot add the header)
 * cannot kill a host, or put a made-up chart on the dashboard.
 *
 * <p>Only {@code PUT /api/demo}, {@code PUT /api/traces/{id}/packets} and {@code POST /api/links/.../toxics} read a
 * request body. The connection handler asks {@link #bodyLimit} which
 * requests those are, and {@link #answerBeforeBody} whether the head alone already settles the answer (no token,
 * a Content-Length over the limit), before it takes the body in; the other routes answer from the head.
 */
public final class AdminRoutes implements HttpRoutes {

    public static final String ALLOWED_METHODS = "GET, HEAD";
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    private static final String TRACES = "/api/traces";
    private static final String HOPS = "/api/hops";
    private static final String HOSTS_PREFIX = "/api/hosts/";
    private static final String DEPLOY = "/api/deploy";
    private static final String SCALE = "/api/scale";
    private static final String OPERATION = "/api/operation";
    private static final String LINKS = "/api/links";
    private static final String LINKS_PREFIX = LINKS + "/";
    private static final String TOXICS = "/toxics";
    /** A toxic's JSON is a hundred bytes or so; this leaves room for whitespace and nothing more. */
    static final long TOXIC_MAX_BYTES = 64 * 1024;
    private static final String LINK_ROUTES = "POST /api/links/{from}->{to}/toxics or DELETE "
            + "/api/links/{from}->{to}/toxics/{name} (GET /api/links lists the links)";
    private static final String TRACE_PREFIX = TRACES + "/";
    private static final String PACKETS_SUFFIX = "/packets";
    private static final String DEMO = "/api/demo";
    /** What {@code /api/demo} answers: reading is open to anyone, storing needs the token. */
    static final String DEMO_METHODS = "GET, HEAD, PUT";
    static final String NO_DEMO_YET = "no demo has reported here yet: run `bin/foobar-stack demo spof` (or demo "
            + "deploy, demo scale) while this stack runs";
    private static final String NO_TOKEN_NO_DEMO = "this admin server was started without the stack's token, "
            + "so it takes no demo reports";
    /** A trace id is 32 lower-case hex digits (W3C Trace Context §3.2.2.3); a prefix of it is accepted too. */
    private static final Pattern TRACE_ID_OR_PREFIX = Pattern.compile("[0-9a-f]{1,32}");

    private final TraceHub hub;
    private final Metrics metrics;
    private final StackControl stack;
    private final String token;
    private final Supplier<String> adminEndpoint;
    private final DashboardAssets assets = new DashboardAssets();
    private final AdminJson json = new AdminJson();
    private final org.foobarstack.trace.TraceJson traceJson = new org.foobarstack.trace.TraceJson();
    private final MonitoringProxy monitoring = new MonitoringProxy(json);
    /** The last demo report stored, or null: only the last one is kept, in memory, gone when the stack stops. */
    private final AtomicReference<DemoReport> lastDemo = new AtomicReference<>();
    /** The packets walks captured, for the last few traces ({@link TracePackets}). */
    private final TracePackets packets = new TracePackets();

    /**
     * @param adminEndpoint the admin server's own "address:port", shown in the topology; asked per request,
     *                      because with port 0 it is known only once bound
     */
    public AdminRoutes(TraceHub hub, Metrics metrics, Supplier<List<TierStatus>> topology,
                       Supplier<String> adminEndpoint) {
        this(hub, metrics, StackControl.readOnly(topology), null, adminEndpoint);
    }

    /**
     * @param stack the topology and the host actions
     * @param token the token a host action must carry, or null when this server takes no actions
     */
    public AdminRoutes(TraceHub hub, Metrics metrics, StackControl stack, String token,
                       Supplier<String> adminEndpoint) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.stack = Objects.requireNonNull(stack, "stack");
        this.token = token;
        this.adminEndpoint = Objects.requireNonNull(adminEndpoint, "adminEndpoint");
    }

    @Override
    public AdminResponse handle(AdminRequest request) {
        String path = request.path();
        if (path.startsWith(HOSTS_PREFIX)) {
            return hostAction(request, path.substring(HOSTS_PREFIX.length()));
        }
        if (path.equals(DEMO)) {
            return demo(request);
        }
        if (path.startsWith(MonitoringProxy.PREFIX)) {
            // the stack is asked on every request: its monitor tier may be stopped or started while it runs
            return monitoring.handle(request, stack.monitoringServer());
        }
        if (path.equals(LINKS) || path.startsWith(LINKS_PREFIX)) {
            return links(request, path);
        }
        if (path.equals(DEPLOY) || path.equals(SCALE)) {
            return startOperation(request, path);
        }
        if (isPackets(path)) {
            return tracePackets(request, path.substring(TRACE_PREFIX.length(), path.length() - PACKETS_SUFFIX.length()));
        }
        if (path.equals(OPERATION)) {
            if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                return error(HttpStatus.METHOD_NOT_ALLOWED, OPERATION + " answers GET and HEAD, not "
                        + request.method() + " (RFC 9110 §15.5.6)").withField("Allow", ALLOWED_METHODS);
            }
            return stack.operation()
                    .map(op -> AdminResponse.json(HttpStatus.OK, json.operation(op)))
                    .orElseGet(() -> error(HttpStatus.NOT_FOUND, "no deploy or scaling has run in this stack yet"));
        }
        boolean known = path.equals("/metrics") || path.equals("/health") || path.equals("/api/topology")
                || path.equals(TRACES) || path.startsWith(TRACE_PREFIX) || path.equals(HOPS)
                || assets.get(path) != null;
        if (!known) {
            return error(HttpStatus.NOT_FOUND, "no such page: " + path
                    + " (the dashboard is at /, the APIs under /api/, metrics at /metrics)");
        }
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return error(HttpStatus.METHOD_NOT_ALLOWED, "the admin server is read-only: " + path
                    + " answers GET and HEAD, not " + request.method() + " (RFC 9110 §15.5.6)")
                    .withField("Allow", ALLOWED_METHODS);
        }
        return switch (path) {
            case "/metrics" -> AdminResponse.text(HttpStatus.OK, Metrics.CONTENT_TYPE, metrics.exposition());
            case "/health" -> health();
            case "/api/topology" -> AdminResponse.json(HttpStatus.OK,
                    json.topology(stack.topology(), adminEndpoint.get()));
            case TRACES -> traces(request);
            case HOPS -> hops(request);
            default -> path.startsWith(TRACE_PREFIX) ? trace(path.substring(TRACE_PREFIX.length())) : asset(path);
        };
    }

    /**
     * {@code POST /api/deploy?version=v2&strategy=rolling} and {@code POST /api/scale?role=web&count=3}: the token
     * first, then the operation starts in the background and the answer is 202 Accepted (RFC 9110 §15.3.3) with
     * {@code Location: /api/operation}, where its progress is read.
     */
    private AdminResponse startOperation(AdminRequest request, String path) {
        if (!request.method().equals("POST")) {
            return error(HttpStatus.METHOD_NOT_ALLOWED, path + " changes the stack: use POST, not "
                    + request.method() + " (RFC 9110 §9.3.3)").withField("Allow", "POST");
        }
        AdminResponse refused = refuseWithoutToken(request, path.equals(DEPLOY) ? "a deploy" : "scaling",
                "this admin server controls no hosts");
        if (refused != null) {
            return refused;
        }
        try {
            Operation started;
            if (path.equals(DEPLOY)) {
                String version = request.query().get("version");
                if (version == null || version.isEmpty()) {
                    return error(HttpStatus.BAD_REQUEST, "which version? POST " + DEPLOY
                            + "?version=v2&strategy=rolling");
                }
                started = stack.deploy(version, request.query().getOrDefault("strategy", "rolling"));
            } else {
                String role = request.query().get("role");
                String count = request.query().get("count");
                if (role == null || count == null || !count.matches("\\d{1,3}")) {
                    return error(HttpStatus.BAD_REQUEST, "which role, and how many? POST " + SCALE
                            + "?role=web&count=3");
                }
                started = stack.scale(role, Integer.parseInt(count));
            }
            return AdminResponse.json(HttpStatus.ACCEPTED, json.operation(started.snapshot()))
                    .withField("Location", OPERATION);
        } catch (StackControl.ControlException e) {
            return error(HttpStatus.of(e.status()), e.getMessage());
        }
    }

    /**
     * {@code /api/links}: reading the links is open to anyone; adding or removing a toxic needs the token, checked
     * before anything else is said about the link. The link's segment is percent-decoded, so {@code app-1-%3Edb-1}
     * and {@code app-1->db-1} name the same link.
     */
    private AdminResponse links(AdminRequest request, String path) {
        try {
            if (path.equals(LINKS)) {
                if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                    return error(HttpStatus.METHOD_NOT_ALLOWED, LINKS + " answers GET and HEAD, not "
                            + request.method() + "; toxics are added with " + LINK_ROUTES + " (RFC 9110 §15.5.6)")
                            .withField("Allow", ALLOWED_METHODS);
                }
                return AdminResponse.json(HttpStatus.OK, json.links(stack.links()));
            }
            String rest = path.substring(LINKS_PREFIX.length());
            int toxics = rest.indexOf(TOXICS);
            String[] link = toxics < 0 ? null : linkEnds(rest.substring(0, toxics));
            String after = toxics < 0 ? null : rest.substring(toxics + TOXICS.length());
            if (link == null || !(after.isEmpty() || after.startsWith("/") && after.length() > 1
                    && after.indexOf('/', 1) < 0)) {
                return error(HttpStatus.NOT_FOUND, "no such page: " + path + "; toxics are changed with "
                        + LINK_ROUTES);
            }
            boolean add = after.isEmpty();
            String method = add ? "POST" : "DELETE";
            if (!request.method().equals(method)) {
                return error(HttpStatus.METHOD_NOT_ALLOWED, (add ? "adding" : "removing") + " a toxic changes the "
                        + "stack: use " + method + ", not " + request.method() + " (RFC 9110 §15.5.6)")
                        .withField("Allow", method);
            }
            AdminResponse refused = refuseWithoutToken(request, "a toxic", "this admin server controls no links");
            if (refused != null) {
                return refused;
            }
            if (add) {
                return AdminResponse.json(HttpStatus.OK, json.link(stack.addToxic(link[0], link[1],
                        ToxicJson.parse(readJson(request.body())))));
            }
            return AdminResponse.json(HttpStatus.OK, json.link(stack.removeToxic(link[0], link[1],
                    percentDecoded(after.substring(1)))));
        } catch (ToxicJson.BadToxic e) {
            return error(HttpStatus.BAD_REQUEST, e.getMessage());
        } catch (StackControl.ControlException e) {
            return error(HttpStatus.of(e.status()), e.getMessage());
        }
    }

    /** {@code app-1->db-1} (percent-encoded or not) as {@code [app-1, db-1]}; null when it is not a link's name. */
    private static String[] linkEnds(String segment) {
        String name = percentDecoded(segment);
        int arrow = name == null ? -1 : name.indexOf("->");
        if (arrow <= 0 || arrow + 2 >= name.length() || name.indexOf('/') >= 0) {
            return null;
        }
        return new String[] {name.substring(0, arrow), name.substring(arrow + 2)};
    }

    /** RFC 3986 §2.1 percent-decoding of a path segment ('+' is itself there); null for a broken escape. */
    static String percentDecoded(String segment) {
        try {
            return java.net.URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private com.fasterxml.jackson.databind.JsonNode readJson(byte[] body) {
        if (body.length == 0) {
            throw new ToxicJson.BadToxic("the toxic goes in the body, as JSON: {\"type\": \"latency\", "
                    + "\"attributes\": {\"latency\": 200}}");
        }
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ToxicJson.BadToxic("the body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ToxicJson.BadToxic("the body is not JSON: " + e.getMessage());
        }
    }

    /** {@code POST /api/hosts/{host}/{action}}: the token first, then the action. */
    private AdminResponse hostAction(AdminRequest request, String rest) {
        int slash = rest.indexOf('/');
        String host = slash < 0 ? rest : rest.substring(0, slash);
        HostAction action = slash < 0 ? null : HostAction.fromWord(rest.substring(slash + 1));
        if (host.isEmpty() || action == null) {
            return error(HttpStatus.NOT_FOUND, "host actions are POST /api/hosts/{host}/{" + String.join("|",
                    java.util.Arrays.stream(HostAction.values()).map(HostAction::word).toList()) + "}");
        }
        if (!request.method().equals("POST")) {
            return error(HttpStatus.METHOD_NOT_ALLOWED, "a host action changes the stack: use POST, not "
                    + request.method() + " (RFC 9110 §9.3.3)").withField("Allow", "POST");
        }
        AdminResponse refused = refuseWithoutToken(request, "a host action", "this admin server controls no hosts");
        if (refused != null) {
            return refused;
        }
        try {
            long started = System.nanoTime();
            String result = stack.act(host, action);
            return AdminResponse.json(HttpStatus.OK, json.actionResult(host, action.word(), result,
                    (System.nanoTime() - started) / 1_000_000));
        } catch (StackControl.ControlException e) {
            return error(HttpStatus.of(e.status()), e.getMessage());
        }
    }

    /**
     * The refusal of a request that changes something without the stack's token: 401 without a token, asking for
     * one (RFC 6750 §3), 403 with another one; null when the request carries the token. {@code MessageDigest.isEqual}
     * takes as long wherever the tokens differ, so timing the answers does not reveal the token byte by byte.
     *
     * @param what       what needs the token, to start the 401's sentence ("a host action")
     * @param noTokenHere the 409's message, for an admin server that was started without a token
     */
    private AdminResponse refuseWithoutToken(AdminRequest request, String what, String noTokenHere) {
        if (token == null) {
            return error(HttpStatus.CONFLICT, noTokenHere);
        }
        String presented = bearer(request.authorization());
        if (presented == null) {
            return error(HttpStatus.UNAUTHORIZED, what + " needs the stack's token: Authorization: Bearer <token>, "
                    + "the token being in the stack's data directory (admin.token)")
                    .withField("WWW-Authenticate", "Bearer realm=\"foobar-stack admin\"");
        }
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII))) {
            return error(HttpStatus.FORBIDDEN, "wrong token for this stack (RFC 6750 §3.1)")
                    .withField("WWW-Authenticate", "Bearer realm=\"foobar-stack admin\", error=\"invalid_token\"");
        }
        return null;
    }

    /** The token of "Bearer &lt;token&gt;" (RFC 6750 §2.1: the scheme is case-insensitive), or null. */
    private static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String value = authorization.substring(7).trim();
        return value.isEmpty() ? null : value;
    }

    private AdminResponse health() {
        List<TierStatus> tiers = stack.topology().tiers();
        boolean allUp = tiers.stream().allMatch(TierStatus::up);
        return AdminResponse.json(allUp ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, json.health(tiers));
    }

    /**
     * {@code GET /api/hops?from=web/web-1:12,app/app-1:30}: each recorder's hops from the position the caller reached
     * last time ({@link org.foobarstack.trace.TraceRecorder#since}), so that a supervisor copies every hop once. A
     * recorder is named by tier and instance: a host's firewall records under the host's name, which a balancer
     * host shares with its balancer ({@code firewall/lb-1} and {@code lb/lb-1}).
     */
    private AdminResponse hops(AdminRequest request) {
        java.util.Map<String, Long> from = new java.util.HashMap<>();
        String text = request.parameter("from");
        if (text != null && !text.isEmpty()) {
            for (String position : text.split(",")) {
                int colon = position.lastIndexOf(':');
                try {
                    from.put(position.substring(0, colon), Long.parseLong(position.substring(colon + 1)));
                } catch (RuntimeException e) {
                    return error(HttpStatus.BAD_REQUEST, "from is a list of tier/instance:position, such as "
                            + "web/web-1:12,app/app-1:30, not \"" + text + "\"");
                }
            }
        }
        List<org.foobarstack.trace.TraceJson.RecorderHops> recorders = new java.util.ArrayList<>();
        for (org.foobarstack.trace.TraceRecorder recorder : hub.recorders()) {
            var batch = recorder.since(from.getOrDefault(recorder.tier() + "/" + recorder.instance(), 0L));
            recorders.add(new org.foobarstack.trace.TraceJson.RecorderHops(recorder.tier(), recorder.instance(),
                    batch.next(), batch.hops()));
        }
        return AdminResponse.json(HttpStatus.OK, traceJson.writeRecorderHops(recorders));
    }

    private AdminResponse traces(AdminRequest request) {
        String text = request.parameter("limit");
        int limit = DEFAULT_LIMIT;
        if (text != null) {
            try {
                limit = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                return error(HttpStatus.BAD_REQUEST, "limit must be a whole number from 1 to " + MAX_LIMIT
                        + ", not \"" + text + "\"");
            }
        }
        return AdminResponse.json(HttpStatus.OK, json.requests(RecentRequests.newest(hub, limit)));
    }

    private AdminResponse trace(String id) {
        if (!TRACE_ID_OR_PREFIX.matcher(id).matches()) {
            return error(HttpStatus.BAD_REQUEST, "a trace id is 32 lower-case hex digits, or the first 8 of "
                    + "them (W3C Trace Context §3.2.2.3), not \"" + id + "\"");
        }
        Trace trace = hub.trace(id);
        if (trace.isEmpty() && id.length() < 32) {
            String full = RecentRequests.resolvePrefix(hub, id);
            if (full != null) {
                trace = hub.trace(full);
            }
        }
        if (trace.isEmpty()) {
            return error(HttpStatus.NOT_FOUND, "no trace " + id + " in memory: it never reached the stack, "
                    + "or its hops were overwritten by newer ones, or the id prefix matches several traces");
        }
        return AdminResponse.json(HttpStatus.OK, json.trace(trace));
    }

    private AdminResponse asset(String path) {
        DashboardAssets.Asset asset = assets.get(path);
        AdminResponse response = new AdminResponse(HttpStatus.OK, asset.contentType(), asset.bytes(), "no-cache",
                List.of());
        if (asset.contentType().startsWith("text/html")) {
            // the page loads nothing from elsewhere and runs no inline script: say so, and the browser enforces it
            response = response.withField("Content-Security-Policy", "default-src 'self'; script-src 'self'; "
                    + "style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                    + "form-action 'none'; frame-ancestors 'none'");
        }
        return response;
    }

    // ------------------------------------------------------------------ /api/demo

    /**
     * How many bytes of body the route of this request reads: {@link DemoReport#MAX_BYTES} for
     * {@code PUT /api/demo}, whose body is the report; 0 for every other route, which answers from the head alone.
     */
    @Override
    public long bodyLimit(AdminRequest request) {
        if (request.path().equals(DEMO) && request.method().equals("PUT")) {
            return DemoReport.MAX_BYTES;
        }
        if (putsPackets(request)) {
            return TracePackets.MAX_BYTES;
        }
        return addsToxic(request) ? TOXIC_MAX_BYTES : 0;
    }

    private static boolean addsToxic(AdminRequest request) {
        return request.method().equals("POST") && request.path().startsWith(LINKS_PREFIX)
                && request.path().endsWith(TOXICS);
    }

    /**
     * The answer to a request whose route reads a body ({@link #bodyLimit} above 0), when its head alone settles
     * it; null when the body is worth reading. The token is checked first, so that a client without it learns
     * nothing else; then the size its Content-Length announces, so that a body over the limit is refused before
     * its bytes are taken in.
     *
     * @param contentLength the head's Content-Length, or -1 when the body is chunked (its size is then checked
     *                      as it arrives, with {@link #bodyTooLarge})
     */
    @Override
    public AdminResponse answerBeforeBody(AdminRequest request, long contentLength) {
        AdminResponse refused;
        if (addsToxic(request)) {
            refused = refuseWithoutToken(request, "a toxic", "this admin server controls no links");
        } else if (putsPackets(request)) {
            refused = refuseWithoutToken(request, "storing a walk's packets", NO_TOKEN_NO_PACKETS);
        } else {
            refused = refuseWithoutToken(request, "a demo report", NO_TOKEN_NO_DEMO);
        }
        if (refused != null) {
            return refused;
        }
        return contentLength > bodyLimit(request) ? bodyTooLarge(request, contentLength + " bytes") : null;
    }

    /** 413 for a body over the limit of its route; {@code howBig} says how big it is, or how much arrived. */
    @Override
    public AdminResponse bodyTooLarge(AdminRequest request, String howBig) {
        long limit = bodyLimit(request);
        if (addsToxic(request)) {
            return error(HttpStatus.CONTENT_TOO_LARGE, "a toxic is at most " + limit + " bytes of JSON; this one is "
                    + howBig + " (RFC 9110 §15.5.14)");
        }
        if (putsPackets(request)) {
            return error(HttpStatus.CONTENT_TOO_LARGE, "a walk's packets are at most " + limit / (1024 * 1024)
                    + " MiB (" + limit + " bytes) of JSON; these are " + howBig + " (RFC 9110 §15.5.14)");
        }
        return error(HttpStatus.CONTENT_TOO_LARGE, "a demo report is at most " + limit / (1024 * 1024) + " MiB ("
                + limit + " bytes); this one is " + howBig + " (RFC 9110 §15.5.14)");
    }

    /**
     * {@code /api/demo}: GET answers the last report exactly as it was sent (its format is the demo command's,
     * so it gets no {@code "format"} key of the admin server's); PUT checks and stores one, replacing the last.
     */
    private AdminResponse demo(AdminRequest request) {
        switch (request.method()) {
            case "GET", "HEAD" -> {
                DemoReport report = lastDemo.get();
                if (report == null) {
                    return error(HttpStatus.NOT_FOUND, NO_DEMO_YET);
                }
                return new AdminResponse(HttpStatus.OK, AdminResponse.JSON, report.json(), AdminResponse.NO_STORE,
                        List.of());
            }
            case "PUT" -> {
                // the connection handler asked this before it read the body; asking again keeps handle() the
                // whole rule on its own, for a caller without a socket
                AdminResponse refused = answerBeforeBody(request, request.body().length);
                if (refused != null) {
                    return refused;
                }
                try {
                    lastDemo.set(DemoReport.parse(request.body()));
                } catch (DemoReport.NotAReport e) {
                    return error(HttpStatus.BAD_REQUEST, e.getMessage());
                }
                return AdminResponse.noContent();
            }
            default -> {
                return error(HttpStatus.METHOD_NOT_ALLOWED, DEMO + " answers GET and HEAD, and PUT with the stack's "
                        + "token, not " + request.method() + " (RFC 9110 §15.5.6)").withField("Allow", DEMO_METHODS);
            }
        }
    }

    // ------------------------------------------------------------------ /api/traces/{id}/packets

    private static final String PACKETS_METHODS = "GET, HEAD, PUT";
    private static final String NO_TOKEN_NO_PACKETS = "this admin server was started without the stack's token, "
            + "so it takes no packets";

    private static boolean isPackets(String path) {
        return path.startsWith(TRACE_PREFIX) && path.endsWith(PACKETS_SUFFIX)
                && path.length() > TRACE_PREFIX.length() + PACKETS_SUFFIX.length();
    }

    private static boolean putsPackets(AdminRequest request) {
        return request.method().equals("PUT") && isPackets(request.path());
    }

    /**
     * {@code /api/traces/{id}/packets}: GET answers the packets a walk sent for that trace, exactly as sent; PUT
     * checks and keeps them ({@link TracePackets}).
     *
     * <p>PUT needs the stack's token, as a demo report does, although it changes nothing in the stack: the page
     * shows these packets as what crossed the wire for this request, decoded field by field, and a learner takes
     * them for true. Without the token any program on the machine could file made-up packets under a real trace.
     * The walk that captured them runs as root (capturing needs it), so it can read the token from the stack's
     * data directory; a web page in a browser cannot send the header at all (a cross-origin PUT needs a CORS
     * preflight, which this server never grants).
     */
    private AdminResponse tracePackets(AdminRequest request, String id) {
        boolean put = request.method().equals("PUT");
        if (!put && !request.method().equals("GET") && !request.method().equals("HEAD")) {
            return error(HttpStatus.METHOD_NOT_ALLOWED, TRACE_PREFIX + "{id}" + PACKETS_SUFFIX + " answers GET and "
                    + "HEAD, and PUT with the stack's token, not " + request.method() + " (RFC 9110 §15.5.6)")
                    .withField("Allow", PACKETS_METHODS);
        }
        // the token first, so that a client without it learns nothing else; the connection handler asked this
        // before it read the body, asking again keeps handle() the whole rule on its own
        AdminResponse refused = put ? answerBeforeBody(request, request.body().length) : null;
        if (refused != null) {
            return refused;
        }
        if (!TracePackets.TRACE_ID.matcher(id).matches()) {
            return error(HttpStatus.BAD_REQUEST, "packets are filed under a whole trace id, 32 lower-case hex digits "
                    + "(W3C Trace Context §3.2.2.3), not \"" + id + "\"");
        }
        if (!put) {
            byte[] stored = packets.get(id);
            if (stored == null) {
                return error(HttpStatus.NOT_FOUND, "no packets for trace " + id + ": only `walk --packets`, run as "
                        + "root, captures them, and only the last " + TracePackets.KEPT + " traces' are kept");
            }
            return new AdminResponse(HttpStatus.OK, AdminResponse.JSON, stored, AdminResponse.NO_STORE, List.of());
        }
        try {
            packets.put(id, request.body());
        } catch (TracePackets.NotPackets e) {
            return error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        return AdminResponse.noContent();
    }

    private AdminResponse error(HttpStatus status, String message) {
        return AdminResponse.json(status, json.error(status.code(), message));
    }
}
