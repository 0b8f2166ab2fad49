package org.foobarstack.app.guestbook;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.foobarstack.app.AppServerConfig;

import com.zaxxer.hikari.HikariPoolMXBean;
import org.apache.derby.client.BasicClientDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 *   <li>{@code minimumIdle = 0}: no connection is opened before a request needs one. Hikari retries a failed
 *       connection attempt with a back-off that doubles up to 5 s; with idle connections to keep, it starts
 *       trying at once, and when the app tier starts before the database (the stack boots them side by side) a
 *       request arriving just after the database came up could wait out that back-off and get 503. The first
 *       request opens the first connection instead (tens of milliseconds), and the pool grows with the load;</li>
 *   <li>{@code connectionTimeout}: how long a request waits for a connection before it is answered 503;</li>
 *   <li>Hikari drops a connection that failed with a connection-class SQLState (08xxx), so after the database
 *       comes back the next request opens a fresh connection: recovery without restart.</li>
 * </ul>
 *
 * <p><b>Prepared statements are kept per connection</b> ({@link #prepared}). Preparing a statement costs a round
 * trip to the Derby Network Server (which then finds the compiled plan in its statement cache, keyed by the SQL
 * text); Derby's client driver keeps prepared statements only for connections from its own
 * {@code ClientConnectionPoolDataSource}, and HikariCP keeps none. So the guestbook prepares each of its few
 * statements once per physical connection and reuses it on every later borrow: one round trip per statement
 * instead of two. The statements are made on the physical connection (unwrapped from Hikari's proxy) so that
 * Hikari does not close them when the connection goes back to the pool; since Hikari then does not see their
 * errors, a connection whose statement failed with a connection-class error is evicted here ({@link #evict}).
 */
public final class Database implements AutoCloseable {

    private static final Pattern CLIENT_URL = Pattern.compile("jdbc:derby://([^:/]+)(?::(\\d+))?/([^;]+)(?:;(.*))?");
    /** Derby Network Server's default port, when the URL names none. */
    private static final int DERBY_DEFAULT_PORT = 1527;
    /** Hikari refuses timeouts below 250 ms. */
    private static final long HIKARI_MIN_TIMEOUT_MS = 250;

    private final HikariDataSource pool;
    private final String name;
    private final String jdbcUrl;
    /** host:port of the database, for traces; worked out once, since every traced statement names it. */
    private final String peer;
    private final int statementTimeoutSeconds;
    /**
     * Each physical connection's prepared statements by SQL text. An inner map is used by one thread at a time
     * (the one that borrowed its connection; Hikari's hand-over between threads publishes it safely).
     */
    private final Map<Connection, Map<String, PreparedStatement>> statements = new ConcurrentHashMap<>();

    private Database(HikariDataSource pool, String name, String jdbcUrl, int statementTimeoutSeconds) {
        this.pool = pool;
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.peer = host() + ":" + port();
        this.statementTimeoutSeconds = statementTimeoutSeconds;
    }

    public static Database open(AppServerConfig config) {
        return open(config, null);
    }

    public static Database open(AppServerConfig config, java.net.InetSocketAddress connectVia) {
        return open(config, "database", config.jdbcUrl(), connectVia);
    }

    /**
     * @param connectVia where the driver actually connects, when it is not the URL's host and port: the host's
     *                   {@link org.foobarstack.app.net.SourceAddressRelay}; null to connect straight to the URL's.
     *                   Everything this class reports (host, port, the traces' peer) is still the database's.
     * @param name       what status pages and headers call this database ("db-2")
     * @param jdbcUrl    the database's client-driver URL (the config's for a single database)
     */
    public static Database open(AppServerConfig config, String name, String jdbcUrl,
                                java.net.InetSocketAddress connectVia) {
        if (!jdbcUrl.startsWith("jdbc:derby://")) {
            throw new IllegalArgumentException("the app tier reaches Derby only through its client driver "
                    + "(jdbc:derby://host:port/db), got " + jdbcUrl);
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(config.instanceName() + "-" + name);
        // The client driver's own DataSource (derbyclient.jar: the embedded driver can never be picked), not a
        // JDBC URL: for a URL Hikari goes through DriverManager and sets its login timeout, which is JVM-wide and
        // would then also bound the storage tier's embedded connections when both tiers share a JVM.
        BasicClientDataSource dataSource = clientDataSource(jdbcUrl);
        if (connectVia != null) {
            dataSource.setServerName(connectVia.getAddress().getHostAddress());
            dataSource.setPortNumber(connectVia.getPort());
        }
        hikari.setDataSource(dataSource);
        if (config.dbUser() != null) {
            hikari.setUsername(config.dbUser());
        }
        if (config.dbPassword() != null) {
            hikari.setPassword(config.dbPassword());
        }
        long connectionTimeout = Math.max(HIKARI_MIN_TIMEOUT_MS, config.dbConnectionTimeout().toMillis());
        hikari.setMaximumPoolSize(config.dbPoolSize());
        hikari.setMinimumIdle(0);
        hikari.setConnectionTimeout(connectionTimeout);
        // Derby's client has no setNetworkTimeout(), so Hikari can honour a validation timeout of 1 s at the least
        hikari.setValidationTimeout(Math.max(HIKARI_MIN_TIMEOUT_MS, Math.min(1000, connectionTimeout)));
        hikari.setInitializationFailTimeout(-1);
        hikari.setAutoCommit(true);
        int statementTimeout = (int) Math.max(1, config.statementTimeout().toSeconds());
        return new Database(new HikariDataSource(hikari), name, jdbcUrl, statementTimeout);
    }

    /** {@code jdbc:derby://host:port/database;attributes} as a Derby client DataSource. */
    static BasicClientDataSource clientDataSource(String jdbcUrl) {
        Matcher m = CLIENT_URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Derby client URL (jdbc:derby://host:port/database): " + jdbcUrl);
        }
        BasicClientDataSource ds = new BasicClientDataSource();
        ds.setServerName(m.group(1));
        ds.setPortNumber(m.group(2) == null ? DERBY_DEFAULT_PORT : Integer.parseInt(m.group(2)));
        ds.setDatabaseName(m.group(3));
        if (m.group(4) != null && !m.group(4).isEmpty()) {
            ds.setConnectionAttributes(m.group(4));
        }
        return ds;
    }

    /** A pooled connection; close it to give it back. */
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /**
     * The prepared statement for {@code sql} on this pooled connection: made (with the query timeout) the first time
     * the physical connection runs it, reused afterwards with its parameters cleared. Do not close it.
     *
     * @param autoGeneratedKeys {@link Statement#RETURN_GENERATED_KEYS} or {@link Statement#NO_GENERATED_KEYS}
     */
    public PreparedStatement prepared(Connection pooled, String sql, int autoGeneratedKeys) throws SQLException {
        Connection physical = pooled.unwrap(Connection.class);
        Map<String, PreparedStatement> cache = statements.get(physical);
        if (cache == null) {
            forgetClosedConnections();
            cache = new HashMap<>();
            statements.put(physical, cache);
        }
        String key = autoGeneratedKeys == Statement.RETURN_GENERATED_KEYS ? "keys:" + sql : sql;
        PreparedStatement ps = cache.get(key);
        if (ps == null || ps.isClosed()) {
            ps = physical.prepareStatement(sql, autoGeneratedKeys);
            ps.setQueryTimeout(statementTimeoutSeconds);
            cache.put(key, ps);
        } else {
            ps.clearParameters();
        }
        return ps;
    }

    /**
     * Takes a connection out of the pool for good: its statement failed in a way that means the connection is
     * broken (the database went away). The next borrower gets a fresh one.
     */
    public void evict(Connection pooled) {
        try {
            statements.remove(pooled.unwrap(Connection.class));
        } catch (SQLException e) {
            // not a Hikari proxy: nothing was cached for it
        }
        pool.evictConnection(pooled);
    }

    /** Drops the statements of physical connections Hikari has closed (a retired or broken connection). */
    private void forgetClosedConnections() {
        statements.keySet().removeIf(connection -> {
            try {
                return connection.isClosed();
            } catch (SQLException e) {
                return true;
            }
        });
    }

    /** The pool's live numbers (active, idle, waiting), for metrics. */
    public HikariPoolMXBean poolStats() {
        return pool.getHikariPoolMXBean();
    }

    /** "host:port" of the database, as trace hops show their peer. */
    public String peer() {
        return peer;
    }

    /** JDBC query timeouts are whole seconds ({@link java.sql.Statement#setQueryTimeout}). */
    public int statementTimeoutSeconds() {
        return statementTimeoutSeconds;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** What status pages and headers call this database ("db-2"). */
    public String name() {
        return name;
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
     * Whether an exception means "the database cannot serve this now, try again" (answer 503 with Retry-After)
     * rather than a bug: no connection from the pool in time, a connection-class SQLState (08xxx, SQL:2016 /
     * JDBC 4.3 §8.5), or any transient failure (JDBC's {@link SQLTransientException}: "a retry of the same operation
     * might succeed"): a statement past its timeout (XCL52), a lock wait that timed out (40XL1), a deadlock victim
     * (40001).
     */
    public static boolean isUnavailable(SQLException e) {
        if (isConnectionLost(e)) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the connection itself is gone (the database went away): such a connection must not go back to the
     * pool. A statement that timed out or lost a lock wait leaves its connection in good order.
     */
    public static boolean isConnectionLost(Throwable e) {
        return isConnectionLostInChain(e);
    }

    /**
     * Whether the database refused a write for want of the privilege (SQLState 42500 for a table, 42502 for a
     * column): a replica, or a former primary fenced after a failover. The app user may only read there.
     */
    public static boolean isReadOnly(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("42500".equals(sql.getSQLState())
                    || "42502".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isConnectionLostInChain(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLNonTransientConnectionException || t instanceof SQLTransientConnectionException) {
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
