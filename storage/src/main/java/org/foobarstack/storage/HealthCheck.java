package org.foobarstack.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.derby.client.BasicClientDataSource;

/**
 * A health check that does what the application does: it opens a connection through the network client
 * driver, logs in as the application user and reads the guestbook table through its primary key index.
 *
 * <p>A port probe would only prove that something accepts TCP connections; this round trip also proves that
 * the Network Server speaks DRDA, that the database is booted, that the credentials work and that the
 * MESSAGES table is readable. It writes nothing, so it may run as often as needed.
 *
 * <p>Bounded: a server that accepts the TCP connection but never answers (hung, or not Derby) makes the
 * check unhealthy after the timeout instead of blocking its caller. That needs Derby's DataSource (its
 * login timeout is per DataSource; DriverManager's is JVM-wide), so the URL is taken apart into host,
 * port and database name.
 *
 * <p>Usable on its own (the app tier builds one from the JDBC URL and credentials it was given) or through
 * {@link StorageServer#healthCheck()}.
 */
public final class HealthCheck {

    /** The probe query: standard SQL, answered from the primary key index without reading any row. */
    static final String PROBE_SQL = "SELECT COUNT(*) FROM MESSAGES WHERE ID < 0";

    /** Default bound on login and on the probe query, so a stuck database reports unhealthy instead of hanging. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** {@code jdbc:derby://host:port/databaseName[;attributes]}; host may be an [IPv6] literal. */
    private static final Pattern CLIENT_URL =
            Pattern.compile("jdbc:derby://(\\[[^\\]]+\\]|[^:/\\[]+)(?::(\\d+))?/([^;]+)(;.*)?");

    private final BasicClientDataSource dataSource;
    private final Duration timeout;

    public HealthCheck(String jdbcUrl, String user, String password) {
        this(jdbcUrl, user, password, DEFAULT_TIMEOUT);
    }

    public HealthCheck(String jdbcUrl, String user, String password, Duration timeout) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        Matcher m = CLIENT_URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Derby client URL (jdbc:derby://host:port/database): " + jdbcUrl);
        }
        dataSource = new BasicClientDataSource();
        dataSource.setServerName(m.group(1).replace("[", "").replace("]", ""));
        dataSource.setPortNumber(m.group(2) == null ? StorageConfig.DEFAULT_PORT : Integer.parseInt(m.group(2)));
        dataSource.setDatabaseName(m.group(3));
        dataSource.setUser(Objects.requireNonNull(user, "user"));
        dataSource.setPassword(Objects.requireNonNull(password, "password"));
        dataSource.setLoginTimeout(timeoutSeconds());
    }

    private int timeoutSeconds() {
        return (int) Math.max(1, timeout.toSeconds());
    }

    /**
     * The outcome of one check.
     *
     * @param healthy   whether the round trip succeeded
     * @param roundTrip how long connect + query took
     * @param detail    "ok", or the reason it failed (SQLState and message)
     */
    public record Health(boolean healthy, Duration roundTrip, String detail) {
    }

    /** Runs one round trip. Never throws: a failure is reported as an unhealthy {@link Health}. */
    public Health check() {
        long started = System.nanoTime();
        try (Connection c = dataSource.getConnection();
             PreparedStatement probe = c.prepareStatement(PROBE_SQL)) {
            probe.setQueryTimeout(timeoutSeconds());
            try (ResultSet rs = probe.executeQuery()) {
                boolean answered = rs.next() && rs.getLong(1) == 0;
                return new Health(answered, Duration.ofNanos(System.nanoTime() - started),
                        answered ? "ok" : "probe query returned an unexpected answer");
            }
        } catch (SQLException e) {
            return new Health(false, Duration.ofNanos(System.nanoTime() - started),
                    "SQLState " + e.getSQLState() + ": " + DerbyErrors.rootMessage(e));
        }
    }

    /** Shorthand for {@code check().healthy()}. */
    public boolean healthy() {
        return check().healthy();
    }
}
