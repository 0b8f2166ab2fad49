package org.foobarstack.http;

import org.foobarstack.httpcodec.parser.ParserLimits;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.faults.FaultPlan;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link WebServer} needs to know, fixed before it starts. Build one with {@link #builder()}; every
 * setting has a default that matches the rest of the stack.
 *
 * @param bindAddress       the address both ports listen on, "127.0.0.1" by default
 * @param httpPort          plain HTTP port, 8080 by default; 0 picks a free one
 * @param httpsPort         HTTPS port, 8443 by default; 0 picks a free one
 * @param httpsEnabled      false to serve plain HTTP only
 * @param documentRoot      the directory served; null means the foobar.com site shipped with this module, copied
 *                          into {@code <dataDirectory>/www} at first start (files already there are kept)
 * @param dataDirectory     where the certificate authority, the server certificate and the shipped site live
 * @param appServerAddress  the FastCGI responder that answers {@code /api/*}
 * @param appScriptFilename sent as SCRIPT_FILENAME to the app tier (php-fpm needs it to find its script); null
 *                          sends none
 * @param limits            sizes and timeouts
 * @param redirectApexToWww true to answer requests for foobar.com with 301 to www.foobar.com
 * @param siteDomain        the apex domain of the site, "foobar.com"
 * @param serverName        this instance's name, e.g. "web-1": in the Server header, the logs and the CGI params
 * @param directoryListing  true to list directories that have no index.html (off by default, as in nginx)
 * @param ioThreads         event loop threads serving connections; 0 means one per core
 * @param traceRecorder     where this tier records its hops (a stack passes {@code hub.newRecorder("web", "web-1")});
 *                          null gives the server a recorder of its own, tier "web", instance {@code serverName}
 * @param metrics           the registry this tier's {@code foobar_http_*} metrics go into (a stack passes its
 *                          shared one); null gives the server a registry of its own
 * @param tracingEnabled    false switches hop recording off ({@code --no-trace}): the recorder is disabled at start
 *                          and no hop or field tree is built; trace ids are still made and passed on
 * @param faults            the faults this server injects into its own connections (see
 *                          {@link org.foobarstack.trace.faults.FaultPlan}); null gives the server an empty plan
 *                          of its own, {@code WebServer.faults()}
 * @param acceptFilter decides, for each accepted connection, whether it goes on; false means the filter has
 *     already dealt with it (a host's firewall: reset at once, or held unanswered), and the server adds nothing to
 *     it and never reads from it. Every connection goes on by default.
 */
public record WebServerConfig(String bindAddress, int httpPort, int httpsPort, boolean httpsEnabled,
                              Path documentRoot, Path dataDirectory, InetSocketAddress appServerAddress,
                              String appScriptFilename, Limits limits, boolean redirectApexToWww,
                              String siteDomain, String serverName, boolean directoryListing, int ioThreads,
                              TraceRecorder traceRecorder, Metrics metrics, boolean tracingEnabled,
        java.util.function.Predicate<io.netty.channel.Channel> acceptFilter, FaultPlan faults) {

    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_HTTPS_PORT = 8443;
    public static final int DEFAULT_APP_PORT = 9000;

    public WebServerConfig {
        acceptFilter = acceptFilter == null ? ch -> true : acceptFilter;
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(appServerAddress, "appServerAddress");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(siteDomain, "siteDomain");
        Objects.requireNonNull(serverName, "serverName");
        checkPort("httpPort", httpPort);
        checkPort("httpsPort", httpsPort);
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads " + ioThreads + " < 0");
        }
    }

    /** The number of event loop threads to start. */
    public int effectiveIoThreads() {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException(name + " " + port + " outside 0..65535");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().bindAddress(bindAddress).httpPort(httpPort).httpsPort(httpsPort)
                .httpsEnabled(httpsEnabled).documentRoot(documentRoot).dataDirectory(dataDirectory)
                .appServerAddress(appServerAddress).appScriptFilename(appScriptFilename).limits(limits)
                .redirectApexToWww(redirectApexToWww).siteDomain(siteDomain).serverName(serverName)
                .directoryListing(directoryListing).ioThreads(ioThreads).traceRecorder(traceRecorder)
                .metrics(metrics).tracingEnabled(tracingEnabled).acceptFilter(acceptFilter).faults(faults);
    }

    /**
     * Sizes and timeouts that protect the server from slow, greedy or broken clients and upstreams. Build them with
     * {@link #builder()}; every value has a default.
     *
     * @param parserLimits        the sizes the request parser enforces, {@link ParserLimits#defaults()}: request
     *                            line 8 KiB (414 beyond), header section 16 KiB and 100 field lines (431 beyond),
     *                            body 10 MiB (413 beyond)
     * @param headerTimeout       the whole header section must arrive within this, 10 s (408 after)
     * @param keepAliveTimeout    an idle persistent connection is closed after this, 60 s
     * @param maxConnections      concurrent connections over both ports, 10,000; at the limit a new connection
     *                            takes the place of the one silent (not a byte sent) for longest, which gets 503,
     *                            or, with none silent, is itself refused with 503 (see ConnectionLimiter)
     * @param appConnectTimeout   connecting to the app tier (502 after), 2 s
     * @param appTimeout          the app tier must answer, and keep answering, within this (504 after), 30 s
     * @param shutdownTimeout     how long {@link WebServer#close()} waits for in-flight requests, 10 s
     */
    public record Limits(ParserLimits parserLimits, Duration headerTimeout, Duration keepAliveTimeout,
                         int maxConnections, Duration appConnectTimeout, Duration appTimeout,
                         Duration shutdownTimeout) {

        public Limits {
            Objects.requireNonNull(parserLimits, "parserLimits");
            Objects.requireNonNull(headerTimeout, "headerTimeout");
            Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
            Objects.requireNonNull(appConnectTimeout, "appConnectTimeout");
            Objects.requireNonNull(appTimeout, "appTimeout");
            Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        }

        public static Limits defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            return new Builder().parserLimits(parserLimits).headerTimeout(headerTimeout)
                    .keepAliveTimeout(keepAliveTimeout).maxConnections(maxConnections)
                    .appConnectTimeout(appConnectTimeout).appTimeout(appTimeout).shutdownTimeout(shutdownTimeout);
        }

        /** Mutable builder, starting from the defaults. */
        public static final class Builder {
            private ParserLimits parserLimits = ParserLimits.defaults();
            private Duration headerTimeout = Duration.ofSeconds(10);
            private Duration keepAliveTimeout = Duration.ofSeconds(60);
            private int maxConnections = 10_000;
            private Duration appConnectTimeout = Duration.ofSeconds(2);
            private Duration appTimeout = Duration.ofSeconds(30);
            private Duration shutdownTimeout = Duration.ofSeconds(10);

            private Builder() {
            }

            public Builder parserLimits(ParserLimits v) { this.parserLimits = v; return this; }
            public Builder headerTimeout(Duration v) { this.headerTimeout = v; return this; }
            public Builder keepAliveTimeout(Duration v) { this.keepAliveTimeout = v; return this; }
            public Builder maxConnections(int v) { this.maxConnections = v; return this; }
            public Builder appConnectTimeout(Duration v) { this.appConnectTimeout = v; return this; }
            public Builder appTimeout(Duration v) { this.appTimeout = v; return this; }
            public Builder shutdownTimeout(Duration v) { this.shutdownTimeout = v; return this; }

            public Limits build() {
                return new Limits(parserLimits, headerTimeout, keepAliveTimeout, maxConnections, appConnectTimeout,
                        appTimeout, shutdownTimeout);
            }
        }
    }

    /** Mutable builder; {@link #build()} checks and freezes. */
    public static final class Builder {
        private java.util.function.Predicate<io.netty.channel.Channel> acceptFilter;

        /** See {@link WebServerConfig#acceptFilter()}. */
        public Builder acceptFilter(java.util.function.Predicate<io.netty.channel.Channel> v) {
            acceptFilter = v;
            return this;
        }

        private String bindAddress = "127.0.0.1";
        private int httpPort = DEFAULT_HTTP_PORT;
        private int httpsPort = DEFAULT_HTTPS_PORT;
        private boolean httpsEnabled = true;
        private Path documentRoot;
        private Path dataDirectory = Path.of("data", "web");
        private InetSocketAddress appServerAddress = new InetSocketAddress("127.0.0.1", DEFAULT_APP_PORT);
        private String appScriptFilename;
        private Limits limits = Limits.defaults();
        private boolean redirectApexToWww;
        private String siteDomain = "foobar.com";
        private String serverName = "web-1";
        private boolean directoryListing;
        private int ioThreads;
        private TraceRecorder traceRecorder;
        private Metrics metrics;
        private boolean tracingEnabled = true;
        private FaultPlan faults;

        public Builder bindAddress(String v) { this.bindAddress = v; return this; }
        public Builder httpPort(int v) { this.httpPort = v; return this; }
        public Builder httpsPort(int v) { this.httpsPort = v; return this; }
        public Builder httpsEnabled(boolean v) { this.httpsEnabled = v; return this; }
        public Builder documentRoot(Path v) { this.documentRoot = v; return this; }
        public Builder dataDirectory(Path v) { this.dataDirectory = v; return this; }
        public Builder appServerAddress(InetSocketAddress v) { this.appServerAddress = v; return this; }
        public Builder appScriptFilename(String v) { this.appScriptFilename = v; return this; }
        public Builder limits(Limits v) { this.limits = v; return this; }
        public Builder redirectApexToWww(boolean v) { this.redirectApexToWww = v; return this; }
        public Builder siteDomain(String v) { this.siteDomain = v; return this; }
        public Builder serverName(String v) { this.serverName = v; return this; }
        public Builder directoryListing(boolean v) { this.directoryListing = v; return this; }
        public Builder ioThreads(int v) { this.ioThreads = v; return this; }
        public Builder traceRecorder(TraceRecorder v) { this.traceRecorder = v; return this; }
        public Builder metrics(Metrics v) { this.metrics = v; return this; }
        public Builder tracingEnabled(boolean v) { this.tracingEnabled = v; return this; }
        public Builder faults(FaultPlan v) { this.faults = v; return this; }

        public WebServerConfig build() {
            return new WebServerConfig(bindAddress, httpPort, httpsPort, httpsEnabled, documentRoot, dataDirectory,
                    appServerAddress, appScriptFilename, limits, redirectApexToWww, siteDomain, serverName,
                    directoryListing, ioThreads, traceRecorder, metrics, tracingEnabled, acceptFilter, faults);
        }
    }
}
