package org.foobarstack.http.server;

import org.foobarstack.http.WebServerConfig;
import org.foobarstack.http.response.DateHeader;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of one {@link org.foobarstack.http.WebServer} shares: its configuration, the Date header
 * cache, the access log, the count of open connections and whether it is shutting down. One per server object, so
 * that several servers in one JVM never share state.
 */
public final class ServerContext {

    private final WebServerConfig config;
    private final DateHeader dateHeader = new DateHeader();
    private final AccessLog accessLog;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final String serverHeader;
    private final RateLimitedLog rateLimitedLog;
    private volatile boolean shuttingDown;

    public ServerContext(WebServerConfig config) {
        this.config = config;
        this.accessLog = new AccessLog(config.serverName());
        this.rateLimitedLog = new RateLimitedLog(LoggerFactory.getLogger("org.foobarstack.http.WebServer"));
        this.serverHeader = "foobar-stack/0.1 (" + config.serverName() + ")";
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

    public boolean shuttingDown() {
        return shuttingDown;
    }

    public void beginShutdown() {
        shuttingDown = true;
    }

    /** A fresh id for a request: 16 hex digits, sent upstream as REQUEST_ID and back as X-Request-Id. */
    public String newRequestId() {
        String hex = Long.toHexString(ThreadLocalRandom.current().nextLong());
        return "0".repeat(16 - hex.length()) + hex;
    }
}
