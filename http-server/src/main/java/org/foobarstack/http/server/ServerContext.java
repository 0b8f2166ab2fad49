package org.foobarstack.http.server;

import org.foobarstack.http.WebServerConfig;
import org.foobarstack.httpcodec.response.DateHeader;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.faults.FaultPlan;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of one {@link org.foobarstack.http.WebServer} shares: its configuration, the Date header
 * cache, the access log, the count of open connections, whether it is shutting down, the trace recorder its hops
 * go to, the metrics registry and the fault plan. One per server object, so that several servers in one JVM never
 * share state.
 */
public final class ServerContext {

    private final WebServerConfig config;
    private final DateHeader dateHeader = new DateHeader();
    private final AccessLog accessLog;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final SilentConnections silentConnections = new SilentConnections();
    private final String serverHeader;
    private final RateLimitedLog rateLimitedLog;
    private final TraceRecorder traceRecorder;
    private final Metrics metrics;
    private final HttpMetrics httpMetrics;
    private final FaultPlan faults;
    private volatile boolean shuttingDown;

    public ServerContext(WebServerConfig config) {
        this.config = config;
        this.traceRecorder = config.traceRecorder() != null
                ? config.traceRecorder()
                : new TraceRecorder("web", config.serverName());
        if (!config.tracingEnabled()) {
            traceRecorder.setEnabled(false);
        }
        this.metrics = config.metrics() != null ? config.metrics() : new Metrics();
        this.httpMetrics = new HttpMetrics(metrics, config.serverName(), openConnections::get);
        this.accessLog = new AccessLog(config.serverName());
        this.rateLimitedLog = new RateLimitedLog(LoggerFactory.getLogger("org.foobarstack.http.WebServer"),
                RateLimitedLog.Policy.FIVE_PER_SECOND);
        this.serverHeader = "foobar-stack/0.1 (" + config.serverName() + ")";
        this.faults = config.faults() != null ? config.faults() : new FaultPlan();
    }

    /** The faults this server injects into its own connections; empty unless a test adds some. */
    public FaultPlan faults() {
        return faults;
    }

    public WebServerConfig config() {
        return config;
    }

    public String date() {
        return dateHeader.now();
    }

    /** The Server header (RFC 9110 §10.2.4): product and the instance name, so learners see which one answered. */
    public String serverHeader() {
        return serverHeader;
    }

    public AccessLog accessLog() {
        return accessLog;
    }

    /** Where bad input and refusals are logged, a few lines a second at most. */
    public RateLimitedLog rateLimitedLog() {
        return rateLimitedLog;
    }

    public AtomicInteger openConnections() {
        return openConnections;
    }

    /** The connections that have not sent a byte yet, oldest first: shed first when the server is full. */
    public SilentConnections silentConnections() {
        return silentConnections;
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    public void beginShutdown() {
        shuttingDown = true;
    }

    /** Where this tier records its hops; check {@link TraceRecorder#enabled()} before building one. */
    public TraceRecorder traceRecorder() {
        return traceRecorder;
    }

    /** This server's {@code foobar_http_*} series. */
    public HttpMetrics httpMetrics() {
        return httpMetrics;
    }

    /** The registry this tier's metrics live in (shared with the other tiers of a stack). */
    public Metrics metrics() {
        return metrics;
    }
}
