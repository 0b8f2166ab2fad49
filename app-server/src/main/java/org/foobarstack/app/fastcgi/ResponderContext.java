package org.foobarstack.app.fastcgi;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.foobarstack.app.AppMetrics;
import org.foobarstack.app.AppServerConfig;
import org.foobarstack.app.EmulatedCapacity;
import org.foobarstack.app.api.Application;
import org.foobarstack.app.api.AppResponse;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.faults.FaultPlan;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of one app server shares: its config, the application, the worker pool that runs it,
 * the emulated capacity if any, the connection count behind FCGI_MAX_CONNS, the count of requests in progress
 * that a graceful stop waits for, the rate-limited log, the trace recorder and the metrics. One per
 * {@code AppServer}.
 */
public final class ResponderContext {

    private final AppServerConfig config;
    private final Application application;
    private final ExecutorService workers;
    private final RateLimitedLog log;
    private final TraceRecorder recorder;
    private final AppMetrics metrics;
    private final EmulatedCapacity capacity;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong buffered = new java.util.concurrent.atomic.AtomicLong();
    /** Requests accepted (BEGIN_REQUEST not refused) whose END_REQUEST has not been sent; guarded by itself. */
    private final Object inProgressLock = new Object();
    private int inProgress;
    private final FaultPlan faults;

    /** @param capacity the capacity this server emulates, or null for none */
    public ResponderContext(AppServerConfig config, Application application, ExecutorService workers,
                            EmulatedCapacity capacity, RateLimitedLog log, TraceRecorder recorder,
                            AppMetrics metrics) {
        this(config, application, workers, capacity, log, recorder, metrics, new FaultPlan());
    }

    /**
     * @param capacity the capacity this server emulates, or null for none
     * @param faults   the faults the server injects into its own connections (see {@link RequestFaults})
     */
    public ResponderContext(AppServerConfig config, Application application, ExecutorService workers,
                            EmulatedCapacity capacity, RateLimitedLog log, TraceRecorder recorder,
                            AppMetrics metrics, FaultPlan faults) {
        this.faults = faults;
        this.config = config;
        this.application = application;
        this.workers = workers;
        this.capacity = capacity;
        this.log = log;
        this.recorder = recorder;
        this.metrics = metrics;
    }

    /** The faults this server injects into its own connections; empty unless a test adds some. */
    public FaultPlan faults() {
        return faults;
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

    /** The capacity this server emulates, or null: then a worker is free as soon as the application answers. */
    EmulatedCapacity capacity() {
        return capacity;
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

    /** A BEGIN_REQUEST was accepted: from now on a graceful stop waits for its END_REQUEST. */
    void requestAccepted() {
        synchronized (inProgressLock) {
            inProgress++;
        }
    }

    /** The request's END_REQUEST was sent, or its connection is gone. */
    void requestEnded() {
        synchronized (inProgressLock) {
            inProgress--;
            if (inProgress == 0) {
                inProgressLock.notifyAll();
            }
        }
    }

    /**
     * Waits until every accepted request has ended: the ones still receiving PARAMS or STDIN, waiting in the worker
     * queue, or running. Returns false when {@code deadlineNanos} ({@link System#nanoTime()}) came first.
     */
    public boolean awaitRequestsEnded(long deadlineNanos) throws InterruptedException {
        synchronized (inProgressLock) {
            while (inProgress > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(inProgressLock, left);
            }
            return true;
        }
    }

    /** Requests accepted and not yet ended, on all connections. */
    public int requestsInProgress() {
        synchronized (inProgressLock) {
            return inProgress;
        }
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
