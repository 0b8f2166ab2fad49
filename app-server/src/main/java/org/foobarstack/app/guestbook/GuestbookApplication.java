package org.foobarstack.app.guestbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.foobarstack.app.AppMetrics;
import org.foobarstack.app.AppServerConfig;
import org.foobarstack.app.EmulatedCapacity;
import org.foobarstack.app.api.AppRequest;
import org.foobarstack.app.api.AppResponse;
import org.foobarstack.app.api.Application;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.TraceRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The foobar.com application: a guestbook and a "request passport".
 *
 * <pre>
 *   GET  /api/messages?limit=20&amp;before=ID   200 newest first; limit 1..100 (default 20); "nextBefore" pages on
 *   POST /api/messages                      201 + Location; JSON {"author","body"} or an HTML form post
 *   GET  /api/messages/{id}                 200, or 404
 *   GET  /api/whoami                        200: which web server, app server and database served this request
 * </pre>
 * HEAD is accepted wherever GET is. Errors are JSON {@code {"status","error","message"}}: 400 malformed JSON or
 * query, 404 unknown path or id, 405 other methods (with Allow), 413 body over {@link #MAX_BODY_BYTES}, 415 other
 * content types, 422 missing, blank or too long fields, 503 while the database cannot be reached or refuses a
 * write (a replica, or a former primary after a failover).
 *
 * <p>With replicas ({@link DatabaseCluster}), every response names the database that answered in
 * {@code X-Database} ("db-2 (replica)"), and a write sets a cookie with the primary's change-log position after it,
 * {@code foobar_db_position}: the writer's later reads go to a replica only if it has applied that far, else to the
 * primary, so a learner who posts a message always sees it in the list ("read your writes"), while other readers
 * may see it a moment later.
 *
 * <p>Every answer names the version of the application that produced it, {@code X-App-Version: v1} or {@code v2}
 * ({@link AppVersion}), so that a load generator or curl can tell during a rolling update which version answered.
 * Version 2 adds one visible feature: {@code GET /api/messages} also carries {@code X-Message-Count}, the number of
 * all messages, counted on the same database connection as the page. The JSON body stays exactly what v1 sends, so
 * that no v1 client can break on it.
 *
 * <p>Only JSON is produced, never HTML, so there is no markup to escape: a page that shows messages must insert
 * them as text (the home page uses {@code textContent}).
 */
public final class GuestbookApplication implements Application {

    private static final Logger LOG = LoggerFactory.getLogger(GuestbookApplication.class);

    public static final String MESSAGES = "/api/messages";
    public static final String WHOAMI = "/api/whoami";
    /** The header on every answer that names the version of the application, "v1" or "v2". */
    public static final String VERSION_HEADER = "X-App-Version";
    /** Version 2's header on {@code GET /api/messages}: how many messages there are in all. */
    public static final String COUNT_HEADER = "X-Message-Count";
    /** A message is at most 64 + 2000 characters; 16 KiB leaves room for JSON escapes and form encoding. */
    public static final int MAX_BODY_BYTES = 16 * 1024;
    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 100;

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    private final ObjectMapper json = new ObjectMapper();
    private final MessageJson messageJson = new MessageJson(json.getFactory());
    /** While the database is down every request fails the same way: a few lines a second tell the story. */
    private final RateLimitedLog unavailableLog = new RateLimitedLog(LOG, RateLimitedLog.Policy.perSecond(5));
    /** The cookie that carries a writer's last position to its next reads. */
    public static final String POSITION_COOKIE = "foobar_db_position";
    /** How long the cookie lives: far longer than any lag a replica should have. */
    static final int POSITION_COOKIE_MAX_AGE_SECONDS = 300;

    private final MessageStore store;
    private final DatabaseCluster cluster;
    private final WhoAmI whoAmI;
    private final AppVersion version;

    /**
     * @param recorder where the application's SQL hops go (the server's recorder)
     * @param metrics  where statement durations go
     * @param capacity the capacity the server emulates, which the passport shows; null for none
     */
    public GuestbookApplication(AppServerConfig config, DatabaseCluster cluster, TraceRecorder recorder,
                                AppMetrics metrics, EmulatedCapacity capacity) {
        this.cluster = cluster;
        this.version = config.appVersion();
        this.store = new MessageStore(cluster, recorder, metrics, config.sqlTraceComments());
        this.whoAmI = new WhoAmI(config, cluster, store, capacity);
    }

    /** Without an emulated capacity. */
    public GuestbookApplication(AppServerConfig config, DatabaseCluster cluster, TraceRecorder recorder,
                                AppMetrics metrics) {
        this(config, cluster, recorder, metrics, null);
    }

    /** A single database, no replicas. */
    public GuestbookApplication(AppServerConfig config, Database database, TraceRecorder recorder,
                                AppMetrics metrics) {
        this(config, DatabaseCluster.single(database), recorder, metrics);
    }

    /** The routes of the table above, with the id left out; anything else is "other". */
    @Override
    public String route(AppRequest request) {
        String path = request.path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.equals(MESSAGES) || path.equals(WHOAMI)) {
            return path;
        }
        return path.startsWith(MESSAGES + "/") ? MESSAGES + "/{id}" : "other";
    }

    @Override
    public AppResponse handle(AppRequest request) throws Exception {
        return answer(request).withHeader(VERSION_HEADER, version.word());
    }

    private AppResponse answer(AppRequest request) throws Exception {
        String path = request.path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        try {
            if (path.equals(MESSAGES)) {
                return switch (request.method()) {
                    case "GET", "HEAD" -> list(request);
                    case "POST" -> create(request);
                    default -> methodNotAllowed(request, "GET, HEAD, POST");
                };
            }
            if (path.startsWith(MESSAGES + "/")) {
                if (!isRead(request)) {
                    return methodNotAllowed(request, "GET, HEAD");
                }
                return one(request, path.substring(MESSAGES.length() + 1));
            }
            if (path.equals(WHOAMI)) {
                return isRead(request) ? ok(whoAmI.passport(request, lastWrite(request)))
                        : methodNotAllowed(request, "GET, HEAD");
            }
            return error(404, "no such resource: " + path);
        } catch (SQLException e) {
            if (Database.isReadOnly(e)) {
                // a write reached a database where the app may only read: a replica, or a primary fenced after a
                // failover. The app asks DNS for the primary again; the next try goes there.
                unavailableLog.warn("database read-only for {} {}: {}", request.method(), path, e.toString());
                return AppResponse.builder(503).header("Retry-After", "1")
                        .body(JSON, errorBody(503, "the database refused the write: it is read-only (a replica, or "
                                + "a former primary after a failover; SQLState " + e.getSQLState() + "); writes go "
                                + "to the primary, try again shortly"))
                        .build();
            }
            if (Database.isUnavailable(e)) {
                // gone (no connection) or busy (a statement past its timeout, a lock wait that ran out)
                String state = Database.isConnectionLost(e) || e.getSQLState() == null ? "unavailable" : "busy";
                unavailableLog.warn("database {} for {} {}: {}", state, request.method(), path, e.toString());
                return AppResponse.builder(503).header("Retry-After", "1")
                        .body(JSON, errorBody(503, "the database is " + state + ", try again shortly ("
                                + e.getClass().getSimpleName() + ", SQLState " + e.getSQLState() + ")"))
                        .build();
            }
            throw e;
        }
    }

    private static boolean isRead(AppRequest request) {
        return request.method().equals("GET") || request.method().equals("HEAD");
    }

    private AppResponse list(AppRequest request) throws SQLException {
        Map<String, String> query = request.queryParameters();
        int limit = DEFAULT_PAGE_SIZE;
        Long before = null;
        try {
            if (query.containsKey("limit")) {
                limit = Integer.parseInt(query.get("limit"));
            }
            if (query.containsKey("before")) {
                before = Long.parseLong(query.get("before"));
            }
        } catch (NumberFormatException e) {
            return error(400, "limit and before must be integers");
        }
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            return error(400, "limit must be 1.." + MAX_PAGE_SIZE);
        }
        // one row more than asked tells whether an older page exists
        MessageStore.Served<MessageStore.Page> served = store.list(request.trace(), lastWrite(request), limit + 1,
                before, version.countsMessages());
        List<Message> rows = served.value().messages();
        boolean more = rows.size() > limit;
        List<Message> page = more ? rows.subList(0, limit) : rows;
        Long nextBefore = more ? page.get(page.size() - 1).id() : null;
        AppResponse.Builder response = AppResponse.builder(200).header(DATABASE_HEADER, answeredBy(served.database()));
        if (version.countsMessages()) {
            response.header(COUNT_HEADER, Long.toString(served.value().total()));
        }
        return response.body(JSON, messageJson.page(page, limit, before, nextBefore)).build();
    }

    private AppResponse one(AppRequest request, String idText) throws SQLException {
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            return error(404, "no such message: " + idText);
        }
        MessageStore.Served<Optional<Message>> served = store.find(request.trace(), lastWrite(request), id);
        Optional<Message> message = served.value();
        AppResponse.Builder response = message.isPresent()
                ? AppResponse.builder(200).body(JSON, messageJson.message(message.get()))
                : AppResponse.builder(404).body(JSON, errorBody(404, "no such message: " + id));
        return response.header(DATABASE_HEADER, answeredBy(served.database())).build();
    }

    private AppResponse create(AppRequest request) throws SQLException {
        String mediaType = request.contentType().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals(JSON) && !mediaType.equals(FORM)) {
            return AppResponse.builder(415).header("Accept-Post", JSON + ", " + FORM)
                    .body(JSON, errorBody(415, "send " + JSON + " or " + FORM + ", not '" + request.contentType()
                            + "'")).build();
        }
        if (request.body().length > MAX_BODY_BYTES) {
            return error(413, "a message is at most " + MAX_BODY_BYTES + " bytes, got " + request.body().length);
        }
        String author;
        String text;
        if (mediaType.equals(JSON)) {
            JsonNode node;
            try {
                node = json.readTree(request.body());
            } catch (JsonProcessingException e) {
                return error(400, "malformed JSON: " + e.getOriginalMessage());
            } catch (java.io.IOException e) {
                return error(400, "unreadable body: " + e.getMessage());
            }
            if (node == null || !node.isObject()) {
                return error(400, "the body must be a JSON object {\"author\":...,\"body\":...}");
            }
            author = textField(node, "author");
            text = textField(node, "body");
        } else {
            Map<String, String> form = AppRequest.decodeForm(new String(request.body(), StandardCharsets.UTF_8));
            author = form.get("author");
            text = form.get("body");
        }
        List<String> problems = new ArrayList<>();
        author = validate("author", author, Message.MAX_AUTHOR_LENGTH, problems);
        text = validate("body", text, Message.MAX_BODY_LENGTH, problems);
        if (!problems.isEmpty()) {
            return error(422, String.join("; ", problems));
        }
        MessageStore.Served<Message> served = store.insert(request.trace(), author, text);
        Message stored = served.value();
        AppResponse.Builder created = AppResponse.builder(201).header("Location", MESSAGES + "/" + stored.id())
                .header(DATABASE_HEADER, answeredBy(served.database()));
        if (served.position() > 0) {
            created.header("Set-Cookie", POSITION_COOKIE + "=" + served.position() + "; Path=/api; Max-Age="
                    + POSITION_COOKIE_MAX_AGE_SECONDS + "; HttpOnly; SameSite=Lax");
        }
        return created.body(JSON, messageJson.message(stored)).build();
    }

    /** The header that names the database that answered. */
    public static final String DATABASE_HEADER = "X-Database";

    /** "db-2 (replica)", or just the name when there is one database. */
    private String answeredBy(Database db) {
        return cluster.replicated() ? db.name() + " (" + cluster.roleOf(db) + ")" : db.name();
    }

    /** The position of the reader's own last write, from its cookie; 0 when it has none (or a malformed one). */
    static long lastWrite(AppRequest request) {
        String cookies = request.param("HTTP_COOKIE");
        if (cookies == null) {
            return 0;
        }
        for (String pair : cookies.split(";")) {
            String[] kv = pair.trim().split("=", 2);
            if (kv.length == 2 && kv[0].equals(POSITION_COOKIE)) {
                try {
                    return Math.max(0, Long.parseLong(kv[1].trim()));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** A JSON field's text; a non-string value counts as missing. */
    private static String textField(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /** Returns the trimmed value, or adds a problem and returns null. */
    private static String validate(String field, String value, int maxLength, List<String> problems) {
        if (value == null) {
            problems.add(field + " is missing (a string is required)");
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.isEmpty()) {
            problems.add(field + " must not be blank");
        } else if (trimmed.length() > maxLength) {
            problems.add(field + " is " + trimmed.length() + " characters, at most " + maxLength + " allowed");
        }
        return trimmed;
    }

    private AppResponse methodNotAllowed(AppRequest request, String allow) {
        return AppResponse.builder(405).header("Allow", allow)
                .body(JSON, errorBody(405, request.method() + " is not allowed here; allowed: " + allow)).build();
    }

    private AppResponse ok(Object body) {
        return okJson(toJson(body));
    }

    private static AppResponse okJson(byte[] json) {
        return AppResponse.builder(200).body(JSON, json).build();
    }

    private AppResponse error(int status, String message) {
        return AppResponse.builder(status).body(JSON, errorBody(status, message)).build();
    }

    private byte[] errorBody(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", AppResponse.builder(status).build().reason());
        body.put("message", message);
        return toJson(body);
    }

    private byte[] toJson(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + value.getClass(), e);
        }
    }
}
