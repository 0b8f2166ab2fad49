package org.foobarstack.app.guestbook;

import org.foobarstack.app.AppServerConfig;
import org.foobarstack.app.Capacity;
import org.foobarstack.app.EmulatedCapacity;
import org.foobarstack.app.api.AppRequest;

import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "request passport" of {@code GET /api/whoami}: which web server, app server and database served this
 * request, read from the CGI params the web server sent (RFC 3875 §4.1), from this app server's own config and
 * socket, and from a real round trip to the database.
 *
 * <p>The request id is, in this order: the {@code REQUEST_ID} param, the {@code TRACE_ID} param, the trace-id of
 * a W3C {@code traceparent} header (param {@code HTTP_TRACEPARENT}), or else the id of the trace the responder
 * started for this request (the id its hops are recorded under).
 *
 * <p>Beside the path, the passport says which version of the application answered ({@code "version":"v2"}) and
 * how much this app server may take ({@code "capacity"}): the emulated workers, service time and queue with what
 * they allow a second and what recent requests really cost, or {@code {"emulated":false}}.
 */
final class WhoAmI {

    /** W3C Trace Context §3.2: version "-" trace-id (32 hex) "-" parent-id (16 hex) "-" flags. */
    private static final Pattern TRACEPARENT = Pattern.compile("^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$");

    private final AppServerConfig config;
    private final DatabaseCluster cluster;
    private final MessageStore store;
    private final EmulatedCapacity capacity;

    /** @param capacity the capacity the server emulates, or null */
    WhoAmI(AppServerConfig config, DatabaseCluster cluster, MessageStore store, EmulatedCapacity capacity) {
        this.config = config;
        this.cluster = cluster;
        this.store = store;
        this.capacity = capacity;
    }

    /** @param lastWrite the position of the reader's last write (its cookie), so whoami reads as a list would */
    Map<String, Object> passport(AppRequest request, long lastWrite) {
        Map<String, Object> passport = new LinkedHashMap<>();
        String traceparent = request.param("HTTP_TRACEPARENT");
        String[] id = requestId(request, traceparent);
        passport.put("requestId", id[0]);
        passport.put("requestIdSource", id[1]);
        if (traceparent != null) {
            passport.put("traceparent", traceparent);
        }

        Map<String, Object> client = new LinkedHashMap<>();
        String forwardedFor = request.param("HTTP_X_FORWARDED_FOR");
        // Behind a load balancer the web server's peer (REMOTE_ADDR) is the balancer; the client is the last
        // address the balancer appended to X-Forwarded-For. Only that last entry is trusted: the ones before it
        // came from the client itself and can say anything.
        client.put("address", forwardedFor == null ? request.param("REMOTE_ADDR") : lastElement(forwardedFor));
        client.put("addressSource", forwardedFor == null ? "REMOTE_ADDR (no proxy in between)"
                : "X-Forwarded-For, as the load balancer appended it");
        client.put("remoteAddr", request.param("REMOTE_ADDR"));
        client.put("remotePort", request.param("REMOTE_PORT"));
        if (forwardedFor != null) {
            client.put("xForwardedFor", forwardedFor);
            client.put("forwarded", request.param("HTTP_FORWARDED"));
            client.put("via", request.param("HTTP_VIA"));
        }
        passport.put("client", client);

        Map<String, Object> web = new LinkedHashMap<>();
        // our web tier names itself in WEB_SERVER_NAME (web-1, web-2, ... behind a load balancer); other web
        // servers (nginx) send no such param, and the passport then says null rather than guess
        web.put("instance", request.param("WEB_SERVER_NAME"));
        web.put("serverName", request.param("SERVER_NAME"));
        web.put("serverAddr", request.param("SERVER_ADDR"));
        web.put("serverPort", request.param("SERVER_PORT"));
        web.put("serverSoftware", request.param("SERVER_SOFTWARE"));
        web.put("serverProtocol", request.param("SERVER_PROTOCOL"));
        web.put("gatewayInterface", request.param("GATEWAY_INTERFACE"));
        web.put("fastcgiPeer", format(request.remoteAddress()));
        passport.put("webServer", web);

        Map<String, Object> app = new LinkedHashMap<>();
        app.put("instance", config.instanceName());
        app.put("address", format(request.localAddress()));
        app.put("software", "foobar-stack app-server (FastCGI responder)");
        app.put("workerThread", Thread.currentThread().getName());
        passport.put("appServer", app);
        passport.put("version", config.appVersion().word());
        passport.put("capacity", capacity());

        Map<String, Object> db = new LinkedHashMap<>();
        try {
            MessageStore.Served<MessageStore.DatabaseInfo> served = store.info(request.trace(), lastWrite);
            MessageStore.DatabaseInfo info = served.value();
            describe(db, served.database());
            db.put("reachable", true);
            db.put("product", info.product());
            db.put("version", info.version());
            db.put("serverTime", info.serverTime());
            db.put("roundTripMicros", info.roundTripMicros());
        } catch (SQLException e) {
            // the passport still shows the path; the database's part of it says why it ends there
            try {
                describe(db, cluster.primary());
            } catch (SQLException noPrimary) {
                db.put("name", null);
            }
            db.put("reachable", false);
            db.put("error", e.getClass().getSimpleName() + " (SQLState " + e.getSQLState() + "): " + e.getMessage());
        }
        if (cluster.replicated()) {
            Map<String, Object> split = new LinkedHashMap<>();
            try {
                split.put("primary", cluster.primary().name());
            } catch (SQLException e) {
                split.put("primary", null);
            }
            split.put("replicas", cluster.replicas().stream().map(Database::name).toList());
            split.put("readYourWritesPosition", lastWrite);
            split.put("rule", "writes, and reads that must see the reader's own last write, go to the primary; other "
                    + "reads to a replica (this host's first)");
            db.put("readWriteSplit", split);
        }
        passport.put("database", db);
        return passport;
    }

    /** The emulated capacity, with its fields named as the load generator and the docs name them. */
    private Map<String, Object> capacity() {
        Map<String, Object> json = new LinkedHashMap<>();
        if (capacity == null) {
            json.put("emulated", false);
            return json;
        }
        Capacity declared = capacity.capacity();
        json.put("emulated", true);
        json.put("workers", declared.workers());
        json.put("service_time_ms", declared.serviceTime().toNanos() / 1e6);
        json.put("queue", declared.queue());
        json.put("max_rps", declared.maxPerSecond());
        // null until a request has finished: no measurement yet, rather than a made-up 0
        OptionalDouble realCost = capacity.meanRealCostMillis();
        json.put("real_cost_ms", realCost.isPresent() ? Math.round(realCost.getAsDouble() * 1000) / 1000.0 : null);
        json.put("note", "every host shares this machine's cores: this limit is emulated");
        return json;
    }

    private void describe(Map<String, Object> db, Database database) {
        db.put("name", database.name());
        if (cluster.replicated()) {
            db.put("role", cluster.roleOf(database));
        }
        db.put("jdbcUrl", database.jdbcUrl());
        db.put("host", database.host());
        db.put("port", database.port());
        db.put("database", database.databaseName());
    }

    private String[] requestId(AppRequest request, String traceparent) {
        String requestId = request.param("REQUEST_ID");
        if (requestId != null && !requestId.isBlank()) {
            return new String[] {requestId, "REQUEST_ID param"};
        }
        String traceId = request.param("TRACE_ID");
        if (traceId != null && !traceId.isBlank()) {
            return new String[] {traceId, "TRACE_ID param"};
        }
        if (traceparent != null) {
            Matcher m = TRACEPARENT.matcher(traceparent.trim());
            if (m.matches()) {
                return new String[] {m.group(1), "traceparent header"};
            }
        }
        // the trace the responder started for this request: the id its hops are recorded under
        return new String[] {request.trace().traceId(), "trace started by " + config.instanceName()};
    }

    /** "203.0.113.7, 127.0.0.1" gives "127.0.0.1". */
    private static String lastElement(String list) {
        String[] parts = list.split(",");
        return parts[parts.length - 1].trim();
    }

    private static String format(InetSocketAddress address) {
        return address == null ? null : address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
