package org.foobarstack.monitoring;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.monitoring.exposition.ExpositionException;
import org.foobarstack.monitoring.exposition.ExpositionParser;
import org.foobarstack.monitoring.exposition.MetricFamily;
import org.foobarstack.trace.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring server's routes:
 *
 * <pre>
 *   POST /api/push      a host's samples, text exposition 0.0.4, host named by X-Monitoring-Host   204, or 400
 *   GET  /metrics       every host's last samples with a host label, for Prometheus to scrape
 *   GET  /api/hosts     each host: last push, up or down
 *   GET  /api/series?host=H&amp;metric=M   the points of every series of M (a sample or family name) from H
 *   GET  /api/summary   per instance: requests/s, error rate, p99 latency, replication lag, host up
 *   GET  /api/rates?span=S&amp;step=T   per instance: requests/s every T seconds over the last S (300, 10)
 *   GET  /api/alerts    the alert rules and their alerts
 *   GET  /              this list
 * </pre>
 *
 * HEAD works wherever GET does. Routes run on the server's worker threads.
 */
final class MonitoringRoutes {

    static final String PUSH_PATH = "/api/push";
    static final String HOST_HEADER = "X-Monitoring-Host";

    private static final Logger log = LoggerFactory.getLogger(MonitoringRoutes.class);
    /** A host name as the topology writes them: "web-server-1", "db.foobar.internal". */
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
    private static final Set<String> GET_PATHS =
            Set.of("/", "/metrics", "/api/hosts", "/api/series", "/api/summary", "/api/rates", "/api/alerts");
    private static final String INDEX = String.join("\n",
            "foobar-stack monitoring server",
            "",
            "POST /api/push      text exposition 0.0.4, header " + HOST_HEADER + ": <host>",
            "GET  /metrics       every host's last samples, with a host label (scrape this)",
            "GET  /api/hosts     hosts, last push, up",
            "GET  /api/series?host=H&metric=M",
            "GET  /api/summary   requests/s, error rate, p99 latency, replication lag per instance",
            "GET  /api/rates?span=300&step=10   requests/s per instance over time",
            "GET  /api/alerts    alert rules and their state");

    private final MonitoringConfig config;
    private final MonitoringClock clock;
    private final SeriesStore store;
    private final MonitoringQueries queries;
    private final AlertEvaluator evaluator;
    private final MonitoringJson json = new MonitoringJson();

    MonitoringRoutes(MonitoringConfig config, MonitoringClock clock, SeriesStore store, MonitoringQueries queries,
                     AlertEvaluator evaluator) {
        this.config = config;
        this.clock = clock;
        this.store = store;
        this.queries = queries;
        this.evaluator = evaluator;
    }

    static boolean isValidHostName(String name) {
        return name != null && HOST_NAME.matcher(name).matches();
    }

    /** Whether the request's body is read (a push) or dropped unread. */
    boolean readsBody(MonitoringRequest request) {
        return request.method().equals("POST") && request.path().equals(PUSH_PATH);
    }

    MonitoringResponse handle(MonitoringRequest request) {
        String path = request.path();
        String method = request.method();
        if (path.equals(PUSH_PATH)) {
            return method.equals("POST") ? push(request) : notAllowed("POST");
        }
        if (!GET_PATHS.contains(path)) {
            return MonitoringResponse.text(HttpStatus.NOT_FOUND, "no route " + path + "\n\n" + INDEX);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return notAllowed("GET, HEAD");
        }
        if (request.query() == null) {
            return MonitoringResponse.text(HttpStatus.BAD_REQUEST, "the query is not valid percent-encoding");
        }
        Instant now = clock.now();
        return switch (path) {
            case "/metrics" -> MonitoringResponse.of(HttpStatus.OK, Metrics.CONTENT_TYPE,
                    MergedExposition.write(store.hosts(), queries.hosts(now), evaluator.alerts()));
            case "/api/hosts" -> MonitoringResponse.json(json.hosts(now, config.hostDownAfter(), queries.hosts(now)));
            case "/api/series" -> series(request.query(), now);
            case "/api/summary" -> MonitoringResponse.json(json.summary(now, config.rateWindow(),
                    queries.summary(now)));
            case "/api/rates" -> rates(request.query(), now);
            case "/api/alerts" -> MonitoringResponse.json(json.alerts(now, evaluator.rules(), evaluator.alerts()));
            default -> MonitoringResponse.text(HttpStatus.OK, INDEX);
        };
    }

    private MonitoringResponse push(MonitoringRequest request) {
        String host = request.fields().get(HOST_HEADER);
        if (host == null) {
            return MonitoringResponse.text(HttpStatus.BAD_REQUEST, "a push names its host in the " + HOST_HEADER
                    + " header field");
        }
        if (!isValidHostName(host)) {
            return MonitoringResponse.text(HttpStatus.BAD_REQUEST, HOST_HEADER + " \"" + host + "\" is not a host "
                    + "name (a letter or digit, then letters, digits, '.', '-' or '_')");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(request.body()))
                    .toString();
        } catch (CharacterCodingException e) {
            return MonitoringResponse.text(HttpStatus.BAD_REQUEST, "the body is not UTF-8 text");
        }
        List<MetricFamily> families;
        try {
            families = ExpositionParser.parse(text);
        } catch (ExpositionException e) {
            log.info("push from {} ({}) refused: {}", host, request.client().getHostAddress(), e.getMessage());
            return MonitoringResponse.text(HttpStatus.BAD_REQUEST, "not text exposition 0.0.4: " + e.getMessage());
        }
        boolean first = store.host(host).isEmpty();
        store.record(host, request.client(), clock.now(), families);
        if (first) {
            log.info("{}: first push from {} ({}), {} samples", config.serverName(), host,
                    request.client().getHostAddress(), families.stream().mapToInt(f -> f.samples().size()).sum());
        }
        return MonitoringResponse.noContent();
    }

    private MonitoringResponse series(Map<String, String> query, Instant now) {
        String host = query.get("host");
        String metric = query.get("metric");
        if (host == null || metric == null) {
            return new MonitoringResponse(HttpStatus.BAD_REQUEST, MonitoringResponse.JSON,
                    json.error("/api/series needs ?host=H&metric=M (a sample name, or a histogram's family name)"),
                    List.of());
        }
        // a family name selects its samples too: the histogram x gives x_bucket, x_sum and x_count
        List<Series> series = store.select(key -> key.host().equals(host) && (key.name().equals(metric)
                || key.name().equals(metric + "_bucket") || key.name().equals(metric + "_sum")
                || key.name().equals(metric + "_count")), now, store.retention());
        if (series.isEmpty()) {
            String why = store.host(host).isEmpty() ? "host " + host + " has never pushed"
                    : "host " + host + " has pushed no " + metric + " in the last " + store.retention().toMinutes()
                    + " min";
            return new MonitoringResponse(HttpStatus.NOT_FOUND, MonitoringResponse.JSON, json.error(why), List.of());
        }
        return MonitoringResponse.json(json.series(host, metric, series));
    }

    /** The span and step default to the dashboard's sparkline: 5 minutes, a point every 10 seconds. */
    private MonitoringResponse rates(Map<String, String> query, Instant now) {
        long span;
        long step;
        try {
            span = Long.parseLong(query.getOrDefault("span", "300"));
            step = Long.parseLong(query.getOrDefault("step", "10"));
        } catch (NumberFormatException e) {
            return badRates();
        }
        long retained = store.retention().toSeconds();
        if (step < 1 || span < step || span > retained || span / step > 600) {
            return badRates();
        }
        Duration spanning = Duration.ofSeconds(span);
        Duration stepping = Duration.ofSeconds(step);
        return MonitoringResponse.json(json.rates(now, stepping, config.rateWindow(),
                queries.rateHistory(now, spanning, stepping)));
    }

    private MonitoringResponse badRates() {
        return new MonitoringResponse(HttpStatus.BAD_REQUEST, MonitoringResponse.JSON, json.error("/api/rates takes "
                + "span and step in whole seconds: 1 <= step <= span <= " + store.retention().toSeconds()
                + " (the retention), at most 600 steps"), List.of());
    }

    private static MonitoringResponse notAllowed(String allow) {
        return MonitoringResponse.text(HttpStatus.METHOD_NOT_ALLOWED, "this route takes " + allow)
                .withField("Allow", allow);
    }
}
