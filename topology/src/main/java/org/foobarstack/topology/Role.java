package org.foobarstack.topology;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a host does for the stack: each role is one tier, and a host runs one or more of them.
 *
 * <p>The key is the word used for the tier in a topology file ({@code web:}); the default port is
 * the one the tier listens on when the file does not say, the same as when the stack runs on one
 * machine. Two roles share 8080 on purpose: a load balancer takes the web tier's place in front of
 * the clients, so it listens where they expect the web server; the two then run on different hosts.
 */
public enum Role {

    DNS("dns", 5300, "authoritative name server for the zone"),
    LB("lb", 8080, "load balancer (HAProxy-like)"),
    WEB("web", 8080, "web server: static files, /api/* to the app tier"),
    APP("app", 9000, "application server (FastCGI responder)"),
    DB("db", 1527, "database server (Derby Network Server)"),
    MONITOR("monitor", 9300, "monitoring server: every host pushes its metrics here; alerts; /metrics for Prometheus");

    private final String key;
    private final int defaultPort;
    private final String description;

    Role(String key, int defaultPort, String description) {
        this.key = key;
        this.defaultPort = defaultPort;
        this.description = description;
    }

    /** The tier's name in a topology file, lower case: {@code dns}, {@code lb}, {@code web}, {@code app}, {@code db}, {@code monitor}. */
    public String key() {
        return key;
    }

    /** The port the tier listens on when the topology file gives none. */
    public int defaultPort() {
        return defaultPort;
    }

    /** What a tier of this role does, in one line. */
    public String description() {
        return description;
    }

    /** The role written as {@code key} in a topology file; empty for any other word (keys are lower case). */
    public static Optional<Role> fromKey(String key) {
        return Arrays.stream(values()).filter(role -> role.key.equals(key)).findFirst();
    }
}
