package org.foobarstack.app.fastcgi;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.foobarstack.app.AppMetrics;
import org.foobarstack.app.AppServerConfig;
import org.foobarstack.app.RateLimitedLog;
import org.foobarstack.app.api.Application;
import org.foobarstack.app.api.AppResponse;
import org.foobarstack.trace.TraceRecorder;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of one app server shares: its config, the application, the worker pool that runs it,
 * the connection count behind FCGI_MAX_CONNS, the rate-limited log, the trace recorder and the metrics. One per
 * {@code AppServer}.
 */
public final class ResponderContext {

    private final AppServerConfig config;
    private final Application application;
    private final ExecutorService workers;
    private final RateLimitedLog log;
    private final TraceRecorder recorder;
    private final AppMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong buffered = new java.util.concurrent.atomic.AtomicLong();

    public ResponderContext(AppServerConfig config, Application application, ExecutorService workers,
                            RateLimitedLog log, TraceRecorder recorder, AppMetrics metrics) {
        this.config = config;
        this.application = application;
        this.workers = workers;
        this.log = log;
        this.recorder = recorder;
        this.metrics = metrics;
    }

    /** Where this server's FastCGI hops go. */
    TraceRecorder recorder() {
        return recorder;
    }

    AppMetrics metrics() {
        return metrics;
    }

    public AppServerConfig config() {
        return config;
    }

    Application application() {
        return application;
    }

    ExecutorService workers() {
        return workers;
    }

    RateLimitedLog log() {
        return log;
    }

    /** Counts a new connection; false when it is one more than {@link AppServerConfig#maxConnections()}. */
    boolean tryOpenConnection() {
        if (connections.incrementAndGet() > config.maxConnections()) {
            connections.decrementAndGet();
            return false;
        }
        return true;
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    public int openConnections() {
        return connections.get();
    }

    /** Reserves {@code bytes} of the server-wide buffer budget; false (and nothing reserved) when it is spent. */
    boolean reserveBuffer(int bytes) {
        if (buffered.addAndGet(bytes) > config.maxBufferedBytes()) {
            buffered.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void releaseBuffer(long bytes) {
        buffered.addAndGet(-bytes);
    }

    /** PARAMS and STDIN bytes held by all requests now. */
    public long bufferedBytes() {
        return buffered.get();
    }

    /** From now on new requests are refused with OVERLOADED: the server is shutting down. */
    public void startDraining() {
        draining.set(true);
    }

    boolean draining() {
        return draining.get();
    }

    /**
     * An error response the responder writes itself, before or instead of calling the application. It has the
     * same JSON shape as the application's errors: {@code {"status":413,"error":"...","message":"..."}}.
     */
    AppResponse errorResponse(int status, String message) {
        AppResponse shape = AppResponse.builder(status).build();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", shape.reason());
        body.put("message", message);
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            bytes = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
        }
        return AppResponse.builder(status).body("application/json", bytes).build();
    }
}
