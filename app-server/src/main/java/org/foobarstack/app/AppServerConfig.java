package org.foobarstack.app;

import org.foobarstack.app.guestbook.AppVersion;
import org.foobarstack.app.guestbook.ClusterConfig;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.faults.FaultPlan;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything one app server instance needs: where it listens, which database it uses, and its limits.
 * Immutable; build with {@link #builder()}, whose defaults are the values documented on each method.
 *
 * @param bindAddress              address to listen on (default 127.0.0.1)
 * @param port                     port to listen on (default 9000; 0 picks a free port, see {@link AppServer#address()})
 * @param instanceName             the name {@code GET /api/whoami} reports, e.g. "app-1" (default "app-1")
 * @param jdbcUrl                  Derby client-driver URL (default jdbc:derby://127.0.0.1:1527/foobar)
 * @param dbUser                   database user, or null for none
 * @param dbPassword               database password, or null for none
 * @param ioThreads                Netty event-loop threads that read and write records (default 1)
 * @param workerThreads            threads that run the application, which blocks on JDBC (default 8)
 * @param maxQueuedRequests        assembled requests waiting for a worker before new ones get OVERLOADED (default 256)
 * @param maxConnections           concurrent FastCGI connections; beyond it requests get OVERLOADED (default 128)
 * @param maxRequestsPerConnection concurrent requests multiplexed on one connection; 1 turns multiplexing off,
 *                                 and a second request then gets CANT_MPX_CONN (default 16)
 * @param maxParamsBytes           size of one request's PARAMS stream; beyond it, 431 (default 64 KiB)
 * @param maxStdinBytes            size of one request's STDIN stream; beyond it, 413 (default 1 MiB)
 * @param maxBufferedBytes         PARAMS and STDIN bytes held by all requests of the server together; a request
 *                                 that would go beyond it is answered 503 (default 64 MiB), so that many
 *                                 connections with large bodies cannot exhaust the heap
 * @param requestTimeout           time from BEGIN_REQUEST to the end of STDIN; beyond it the connection is closed
 *                                 (default 30 s)
 * @param idleTimeout              a connection with no request in progress and no traffic is closed (default 5 min)
 * @param shutdownTimeout          how long {@link AppServer#close()} lets in-flight requests finish (default 5 s)
 * @param dbPoolSize               HikariCP maximum pool size (default 8)
 * @param dbConnectionTimeout      how long a request waits for a pooled connection before 503 (default 2 s)
 * @param statementTimeout         JDBC query timeout of every statement (default 5 s)
 * @param traceRecorder            where the server records its hops (FastCGI records, SQL statements); null (the
 *                                 default) makes the server use its own {@code new TraceRecorder("app", instanceName)},
 *                                 so the tier traces when it runs alone; a stack passes {@code hub.newRecorder("app",
 *                                 "app-1")} so that its hops join the other tiers'
 * @param metrics                  the registry the server's {@code foobar_app_*} metrics go into; null (the default)
 *                                 makes the server use its own {@code new Metrics()}; a stack passes its shared one
 * @param sqlTraceComments         whether every SQL statement is sent with the request's {@code traceparent} as a
 *                                 comment prefix, {@code /* traceparent=00-... *}{@code / SELECT ...} (default false:
 *                                 a per-request text defeats Derby's statement cache; see the module README)
 * @param badInputLog              where the one line per bad input goes (at most 20 lines a second, the rest
 *                                 counted); null (the default) is the logger of {@code FastCgiResponderHandler}
 * @param dbName                   what headers and the passport call the database at {@code jdbcUrl} (default "db")
 * @param cluster                  a primary and replicas found through DNS (see {@link ClusterConfig}); null (the
 *                                 default) for the one database at {@code jdbcUrl}
 * @param appVersion               which version of the guestbook runs (default {@link AppVersion#V1}); every answer
 *                                 names it in {@code X-App-Version}
 * @param capacity                 the capacity this server emulates (see {@link Capacity}): its workers and queue
 *                                 replace {@code workerThreads} and {@code maxQueuedRequests}, and each request holds
 *                                 its worker for at least the service time; null (the default) emulates nothing,
 *                                 and the server takes what the machine gives
 * @param faults                   the faults this server injects into its own connections (see
 *                                 {@link org.foobarstack.trace.faults.FaultPlan}); null (the default) gives the
 *                                 server an empty plan of its own, {@code AppServer.faults()}
 * @param acceptFilter decides, for each accepted connection, whether it goes on; false means the filter has
 *     already dealt with it (a host's firewall: reset at once, or held unanswered), and the server adds nothing to
 *     it and never reads from it. Every connection goes on by default.
 */
public record AppServerConfig(String bindAddress, int port, String instanceName, String jdbcUrl, String dbUser,
                              String dbPassword, int ioThreads, int workerThreads, int maxQueuedRequests,
                              int maxConnections, int maxRequestsPerConnection, int maxParamsBytes,
                              int maxStdinBytes, long maxBufferedBytes, Duration requestTimeout, Duration idleTimeout,
                              Duration shutdownTimeout, int dbPoolSize, Duration dbConnectionTimeout,
                              Duration statementTimeout, TraceRecorder traceRecorder, Metrics metrics,
                              boolean sqlTraceComments, Logger badInputLog, String dbName, ClusterConfig cluster,
                              AppVersion appVersion, Capacity capacity,
        java.util.function.Predicate<io.netty.channel.Channel> acceptFilter, FaultPlan faults) {

    public static final String DEFAULT_JDBC_URL = "jdbc:derby://127.0.0.1:1527/foobar";

    public AppServerConfig {
        acceptFilter = acceptFilter == null ? ch -> true : acceptFilter;
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(instanceName, "instanceName");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(dbName, "dbName");
        Objects.requireNonNull(appVersion, "appVersion");
        requireRange("port", port, 0, 65535);
        requireRange("ioThreads", ioThreads, 1, 64);
        requireRange("workerThreads", workerThreads, 1, 1024);
        requireRange("maxQueuedRequests", maxQueuedRequests, 1, 1_000_000);
        requireRange("maxConnections", maxConnections, 1, 1_000_000);
        // request ids are 16 bits, and id 0 is reserved for management records (FastCGI §3.3)
        requireRange("maxRequestsPerConnection", maxRequestsPerConnection, 1, 65535);
        requireRange("maxParamsBytes", maxParamsBytes, 1, Integer.MAX_VALUE);
        requireRange("maxStdinBytes", maxStdinBytes, 0, Integer.MAX_VALUE);
        requireRange("maxBufferedBytes", maxBufferedBytes, 1, Long.MAX_VALUE);
        requireRange("dbPoolSize", dbPoolSize, 1, 1024);
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("idleTimeout", idleTimeout);
        requirePositive("shutdownTimeout", shutdownTimeout);
        requirePositive("dbConnectionTimeout", dbConnectionTimeout);
        requirePositive("statementTimeout", statementTimeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, to derive a variant. */
    public Builder toBuilder() {
        return new Builder().bindAddress(bindAddress).port(port).instanceName(instanceName).jdbcUrl(jdbcUrl)
                .dbUser(dbUser).dbPassword(dbPassword).ioThreads(ioThreads).workerThreads(workerThreads)
                .maxQueuedRequests(maxQueuedRequests).maxConnections(maxConnections)
                .maxRequestsPerConnection(maxRequestsPerConnection).maxParamsBytes(maxParamsBytes)
                .maxStdinBytes(maxStdinBytes).maxBufferedBytes(maxBufferedBytes).requestTimeout(requestTimeout).idleTimeout(idleTimeout)
                .shutdownTimeout(shutdownTimeout).dbPoolSize(dbPoolSize).dbConnectionTimeout(dbConnectionTimeout)
                .statementTimeout(statementTimeout).traceRecorder(traceRecorder).metrics(metrics)
                .sqlTraceComments(sqlTraceComments).badInputLog(badInputLog).dbName(dbName).cluster(cluster)
                .appVersion(appVersion).capacity(capacity).acceptFilter(acceptFilter).faults(faults);
    }

    /** Threads that run the application: the emulated capacity's workers if there is one, else workerThreads. */
    public int effectiveWorkers() {
        return capacity != null ? capacity.workers() : workerThreads;
    }

    /** Requests that may wait for a worker: the emulated capacity's queue if there is one, else maxQueuedRequests. */
    public int effectiveQueue() {
        return capacity != null ? capacity.queue() : maxQueuedRequests;
    }

    /** Whether this server tells clients it multiplexes (FCGI_MPXS_CONNS, FastCGI §4.1). */
    public boolean multiplexes() {
        return maxRequestsPerConnection > 1;
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + value);
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }

    public static final class Builder {
        private java.util.function.Predicate<io.netty.channel.Channel> acceptFilter;

        /** See {@link AppServerConfig#acceptFilter()}. */
        public Builder acceptFilter(java.util.function.Predicate<io.netty.channel.Channel> v) {
            acceptFilter = v;
            return this;
        }

        private String bindAddress = "127.0.0.1";
        private int port = 9000;
        private String instanceName = "app-1";
        private String jdbcUrl = DEFAULT_JDBC_URL;
        private String dbUser;
        private String dbPassword;
        private int ioThreads = 1;
        private int workerThreads = 8;
        private int maxQueuedRequests = 256;
        private int maxConnections = 128;
        private int maxRequestsPerConnection = 16;
        private int maxParamsBytes = 64 * 1024;
        private int maxStdinBytes = 1024 * 1024;
        private long maxBufferedBytes = 64L * 1024 * 1024;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration shutdownTimeout = Duration.ofSeconds(5);
        private int dbPoolSize = 8;
        private Duration dbConnectionTimeout = Duration.ofSeconds(2);
        private Duration statementTimeout = Duration.ofSeconds(5);
        private TraceRecorder traceRecorder;
        private Metrics metrics;
        private boolean sqlTraceComments;
        private Logger badInputLog;
        private String dbName = "db";
        private ClusterConfig cluster;
        private AppVersion appVersion = AppVersion.V1;
        private Capacity capacity;

        private Builder() {
        }

        public Builder bindAddress(String v) { bindAddress = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder instanceName(String v) { instanceName = v; return this; }
        public Builder jdbcUrl(String v) { jdbcUrl = v; return this; }
        public Builder dbUser(String v) { dbUser = v; return this; }
        public Builder dbPassword(String v) { dbPassword = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder workerThreads(int v) { workerThreads = v; return this; }
        public Builder maxQueuedRequests(int v) { maxQueuedRequests = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxRequestsPerConnection(int v) { maxRequestsPerConnection = v; return this; }
        public Builder maxParamsBytes(int v) { maxParamsBytes = v; return this; }
        public Builder maxStdinBytes(int v) { maxStdinBytes = v; return this; }
        public Builder maxBufferedBytes(long v) { maxBufferedBytes = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder shutdownTimeout(Duration v) { shutdownTimeout = v; return this; }
        public Builder dbPoolSize(int v) { dbPoolSize = v; return this; }
        public Builder dbConnectionTimeout(Duration v) { dbConnectionTimeout = v; return this; }
        public Builder statementTimeout(Duration v) { statementTimeout = v; return this; }
        /** The recorder for this instance's hops; null: the server makes its own. */
        public Builder traceRecorder(TraceRecorder v) { traceRecorder = v; return this; }
        /** The registry for this instance's metrics; null: the server makes its own. */
        public Builder metrics(Metrics v) { metrics = v; return this; }
        public Builder sqlTraceComments(boolean v) { sqlTraceComments = v; return this; }
        /** Where bad input is logged; null: the responder's own logger. */
        public Builder badInputLog(Logger v) { badInputLog = v; return this; }
        public Builder dbName(String v) { dbName = v; return this; }
        /** A primary and replicas found through DNS; null: the one database at {@code jdbcUrl}. */
        public Builder cluster(ClusterConfig v) { cluster = v; return this; }
        public Builder appVersion(AppVersion v) { appVersion = v; return this; }
        /** The capacity to emulate; null: none, the server takes what the machine gives. */
        public Builder capacity(Capacity v) { capacity = v; return this; }

        private FaultPlan faults;

        /** See {@link AppServerConfig#faults()}. */
        public Builder faults(FaultPlan v) { faults = v; return this; }

        public AppServerConfig build() {
            return new AppServerConfig(bindAddress, port, instanceName, jdbcUrl, dbUser, dbPassword, ioThreads,
                    workerThreads, maxQueuedRequests, maxConnections, maxRequestsPerConnection, maxParamsBytes,
                    maxStdinBytes, maxBufferedBytes, requestTimeout, idleTimeout, shutdownTimeout, dbPoolSize, dbConnectionTimeout,
                    statementTimeout, traceRecorder, metrics, sqlTraceComments, badInputLog, dbName, cluster,
                    appVersion, capacity, acceptFilter, faults);
        }
    }
}
