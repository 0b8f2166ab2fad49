package org.foobarstack.storage.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;

/**
 * Inserts and primary-key reads per second against a storage tier on loopback, measured four ways:
 * <ul>
 *   <li><b>raw</b>: Derby's client driver, one connection, one prepared statement reused (the peer figure);</li>
 *   <li><b>raw, connect per operation</b>: DriverManager.getConnection for every operation (why pools exist);</li>
 *   <li><b>pool, 1 thread</b>: HikariCP over the client driver, borrow + prepare + execute + return per
 *       operation, as an application request handler does it;</li>
 *   <li><b>pool, N threads</b>: the same with N concurrent callers (Derby can group their log syncs).</li>
 * </ul>
 * Every insert is its own committed transaction (auto-commit), synced to disk like any acknowledged write.
 * Bounded: each phase runs for a fixed time. The server runs in this JVM, as it does in the launcher.
 *
 * <p>Arguments: {@code [--seconds S] [--threads N] [--data-dir DIR]}.
 */
public final class StorageBench {

    private static final String INSERT = "INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)";
    private static final String SELECT_BY_ID = "SELECT ID, AUTHOR, BODY, CREATED_AT FROM MESSAGES WHERE ID = ?";
    /** Rows loaded before the read phases, so reads hit a table of realistic size. */
    private static final int PRELOAD_ROWS = 2_000;
    private static final Duration WARMUP = Duration.ofSeconds(1);

    private StorageBench() {
    }

    /** One measured operation; returns normally when it succeeded. */
    @FunctionalInterface
    interface Op {
        void run() throws SQLException;
    }

    record Figure(String name, long ops, Duration elapsed) {
        double perSecond() {
            return ops / (elapsed.toNanos() / 1e9);
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        int threads = 4;
        Path dataDir = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--data-dir" -> dataDir = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dataDir == null) {
            dataDir = Files.createTempDirectory("storage-bench");
        }
        Duration phase = Duration.ofSeconds(seconds);
        try (StorageServer server = new StorageServer(StorageConfig.builder().port(0).dataDir(dataDir).build())) {
            server.start();
            String url = server.jdbcUrl();
            String user = server.appUser();
            String password = server.appPassword();
            preload(url, user, password);
            long maxId = maxId(url, user, password);

            HikariConfig hc = new HikariConfig();
            hc.setJdbcUrl(url);
            hc.setUsername(user);
            hc.setPassword(password);
            hc.setMaximumPoolSize(threads);
            hc.setMinimumIdle(threads);
            hc.setPoolName("bench");
            List<Figure> figures = new ArrayList<>();
            try (HikariDataSource pool = new HikariDataSource(hc);
                 Connection raw = DriverManager.getConnection(url, user, password);
                 PreparedStatement rawInsert = raw.prepareStatement(INSERT);
                 PreparedStatement rawSelect = raw.prepareStatement(SELECT_BY_ID)) {

                figures.add(measure("insert  raw, 1 connection", 1, phase, () -> insert(rawInsert)));
                figures.add(measure("insert  raw, connect per op", 1, phase, () -> {
                    try (Connection c = DriverManager.getConnection(url, user, password);
                         PreparedStatement ps = c.prepareStatement(INSERT)) {
                        insert(ps);
                    }
                }));
                figures.add(measure("insert  HikariCP, 1 thread", 1, phase, () -> pooledInsert(pool)));
                figures.add(measure("insert  HikariCP, " + threads + " threads", threads, phase, () -> pooledInsert(pool)));

                figures.add(measure("select  raw, 1 connection", 1, phase, () -> select(rawSelect, maxId)));
                figures.add(measure("select  raw, connect per op", 1, phase, () -> {
                    try (Connection c = DriverManager.getConnection(url, user, password);
                         PreparedStatement ps = c.prepareStatement(SELECT_BY_ID)) {
                        select(ps, maxId);
                    }
                }));
                figures.add(measure("select  HikariCP, 1 thread", 1, phase, () -> pooledSelect(pool, maxId)));
                figures.add(measure("select  HikariCP, " + threads + " threads", threads, phase,
                        () -> pooledSelect(pool, maxId)));
            }
            report(figures, seconds, threads);
        }
    }

    private static void insert(PreparedStatement ps) throws SQLException {
        ps.setString(1, "bench");
        ps.setString(2, "a guestbook message of ordinary length, written by the storage benchmark");
        if (ps.executeUpdate() != 1) {
            throw new IllegalStateException("insert did not insert");
        }
    }

    private static void pooledInsert(DataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            insert(ps);
        }
    }

    private static void select(PreparedStatement ps, long maxId) throws SQLException {
        ps.setLong(1, 1 + ThreadLocalRandom.current().nextLong(maxId));
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("primary-key read found no row");
            }
        }
    }

    private static void pooledSelect(DataSource pool, long maxId) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT_BY_ID)) {
            select(ps, maxId);
        }
    }

    private static void preload(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement ps = c.prepareStatement(INSERT)) {
            c.setAutoCommit(false);
            for (int i = 0; i < PRELOAD_ROWS; i++) {
                insert(ps);
            }
            c.commit();
        }
    }

    private static long maxId(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAX(ID) FROM MESSAGES")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs {@code op} on {@code threads} threads: a warm-up, then counts completions for {@code phase}. */
    static Figure measure(String name, int threads, Duration phase, Op op) throws Exception {
        runFor(threads, WARMUP, op);
        long started = System.nanoTime();
        long ops = runFor(threads, phase, op);
        return new Figure(name, ops, Duration.ofNanos(System.nanoTime() - started));
    }

    private static long runFor(int threads, Duration length, Op op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long deadline = System.nanoTime() + length.toNanos();
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<Long> worker = () -> {
                    long n = 0;
                    while (System.nanoTime() < deadline) {
                        op.run();
                        n++;
                    }
                    return n;
                };
                results.add(pool.submit(worker));
            }
            long total = 0;
            for (Future<Long> f : results) {
                total += f.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void report(List<Figure> figures, int seconds, int threads) {
        System.out.printf(Locale.ROOT, "| operation | ops | ops/s | vs raw, 1 connection |%n");
        System.out.printf(Locale.ROOT, "|---|---:|---:|---:|%n");
        double insertBase = figures.get(0).perSecond();
        double selectBase = figures.get(4).perSecond();
        for (Figure f : figures) {
            double base = f.name().startsWith("insert") ? insertBase : selectBase;
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f |%n", f.name(), f.ops(), f.perSecond(),
                    f.perSecond() / base);
        }
        System.out.printf(Locale.ROOT, "(%d s per phase after %d s warm-up, pool size %d)%n",
                seconds, WARMUP.toSeconds(), threads);
    }
}
