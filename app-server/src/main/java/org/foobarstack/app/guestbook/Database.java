package org.foobarstack.app.guestbook;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.foobarstack.app.AppServerConfig;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The storage tier as the application reaches it: a HikariCP pool of Derby client-driver connections, over TCP
 * to the Derby Network Server. Never an embedded database: the database is a tier of its own, on its own port.
 *
 * <p>Why these pool settings:
 * <ul>
 *   <li>{@code initializationFailTimeout = -1}: the pool opens even when the database is down, so the app tier
 *       starts and answers 503 instead of failing;</li>
 *   <li>{@code connectionTimeout}: how long a request waits for a connection before it is answered 503;</li>
 *   <li>Hikari drops a connection that failed with a connection-class SQLState (08xxx), so after the database
 *       comes back the next request opens a fresh connection: recovery without restart.</li>
 * </ul>
 */
public final class Database implements AutoCloseable {

    /** The Derby client driver (derbyclient.jar), named so that the embedded driver can never be picked. */
    static final String CLIENT_DRIVER = "org.apache.derby.client.ClientAutoloadedDriver";
    private static final Pattern CLIENT_URL = Pattern.compile("jdbc:derby://([^:/]+)(?::(\\d+))?/([^;]+).*");
    /** Derby Network Server's default port, when the URL names none. */
    private static final int DERBY_DEFAULT_PORT = 1527;
    /** Hikari refuses timeouts below 250 ms. */
    private static final long HIKARI_MIN_TIMEOUT_MS = 250;

    private final HikariDataSource pool;
    private final String jdbcUrl;
    private final int statementTimeoutSeconds;

    private Database(HikariDataSource pool, String jdbcUrl, int statementTimeoutSeconds) {
        this.pool = pool;
        this.jdbcUrl = jdbcUrl;
        this.statementTimeoutSeconds = statementTimeoutSeconds;
    }

    public static Database open(AppServerConfig config) {
        if (!config.jdbcUrl().startsWith("jdbc:derby://")) {
            throw new IllegalArgumentException("the app tier reaches Derby only through its client driver "
                    + "(jdbc:derby://host:port/db), got " + config.jdbcUrl());
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(config.instanceName() + "-db");
        hikari.setDriverClassName(CLIENT_DRIVER);
        hikari.setJdbcUrl(config.jdbcUrl());
        if (config.dbUser() != null) {
            hikari.setUsername(config.dbUser());
        }
        if (config.dbPassword() != null) {
            hikari.setPassword(config.dbPassword());
        }
        long connectionTimeout = Math.max(HIKARI_MIN_TIMEOUT_MS, config.dbConnectionTimeout().toMillis());
        hikari.setMaximumPoolSize(config.dbPoolSize());
        hikari.setMinimumIdle(Math.min(2, config.dbPoolSize()));
        hikari.setConnectionTimeout(connectionTimeout);
        // Derby's client has no setNetworkTimeout(), so Hikari can honour a validation timeout of 1 s at the least
        hikari.setValidationTimeout(Math.max(HIKARI_MIN_TIMEOUT_MS, Math.min(1000, connectionTimeout)));
        hikari.setInitializationFailTimeout(-1);
        hikari.setAutoCommit(true);
        int statementTimeout = (int) Math.max(1, config.statementTimeout().toSeconds());
        return new Database(new HikariDataSource(hikari), config.jdbcUrl(), statementTimeout);
    }

    /** A pooled connection; close it to give it back. */
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** JDBC query timeouts are whole seconds ({@link java.sql.Statement#setQueryTimeout}). */
    public int statementTimeoutSeconds() {
        return statementTimeoutSeconds;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The host in the JDBC URL. */
    public String host() {
        Matcher m = CLIENT_URL.matcher(jdbcUrl);
        return m.matches() ? m.group(1) : "";
    }

    public int port() {
        Matcher m = CLIENT_URL.matcher(jdbcUrl);
        return m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : DERBY_DEFAULT_PORT;
    }

    public String databaseName() {
        Matcher m = CLIENT_URL.matcher(jdbcUrl);
        return m.matches() ? m.group(3) : "";
    }

    /**
     * Whether an exception means "the database cannot be reached now" (answer 503) rather than a bug: no
     * connection from the pool in time, a connection-class SQLState (08xxx, SQL:2016 / JDBC 4.3 §8.5), or a
     * statement that hit its timeout.
     */
    public static boolean isUnavailable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLTimeoutException
                    || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        pool.close();
    }
}
