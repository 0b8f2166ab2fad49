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

    /** One named workload, measured once per round. */
    record Phase(String name, int threads, Op op) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        int threads = 4;
        int rounds = 3;
        Path dataDir = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
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
            List<List<Figure>> results = new ArrayList<>();
            try (HikariDataSource pool = new HikariDataSource(hc);
                 Connection raw = DriverManager.getConnection(url, user, password);
                 PreparedStatement rawInsert = raw.prepareStatement(INSERT);
                 PreparedStatement rawSelect = raw.prepareStatement(SELECT_BY_ID)) {
                Op connectPerInsert = () -> {
                    try (Connection c = DriverManager.getConnection(url, user, password);
                         PreparedStatement ps = c.prepareStatement(INSERT)) {
                        insert(ps);
                    }
                };
                Op connectPerSelect = () -> {
                    try (Connection c = DriverManager.getConnection(url, user, password);
                         PreparedStatement ps = c.prepareStatement(SELECT_BY_ID)) {
                        select(ps, maxId);
                    }
                };
                List<Phase> phases = List.of(
                        new Phase("insert  raw, 1 connection", 1, () -> insert(rawInsert)),
                        new Phase("insert  raw, connect per op", 1, connectPerInsert),
                        new Phase("insert  HikariCP, 1 thread", 1, () -> pooledInsert(pool)),
                        new Phase("insert  HikariCP, " + threads + " threads", threads, () -> pooledInsert(pool)),
                        new Phase("select  raw, 1 connection", 1, () -> select(rawSelect, maxId)),
                        new Phase("select  raw, connect per op", 1, connectPerSelect),
                        new Phase("select  HikariCP, 1 thread", 1, () -> pooledSelect(pool, maxId)),
                        new Phase("select  HikariCP, " + threads + " threads", threads, () -> pooledSelect(pool, maxId)));
                // Rounds interleave the workloads, so a burst of load from elsewhere on the machine does not
                // land on one workload only; the report gives the median and the range.
                for (int r = 0; r < rounds; r++) {
                    List<Figure> round = new ArrayList<>();
                    for (Phase p : phases) {
                        round.add(measure(p.name(), p.threads(), phase, p.op()));
                    }
                    results.add(round);
                }
            }
            report(results, seconds, threads);
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

    private static void report(List<List<Figure>> rounds, int seconds, int threads) {
        System.out.printf(Locale.ROOT, "| operation | ops/s (median) | min..max | vs raw, 1 connection |%n");
        System.out.printf(Locale.ROOT, "|---|---:|---:|---:|%n");
        int workloads = rounds.get(0).size();
        double[] medians = new double[workloads];
        for (int w = 0; w < workloads; w++) {
            final int index = w;
            double[] perSecond = rounds.stream().mapToDouble(r -> r.get(index).perSecond()).sorted().toArray();
            medians[w] = perSecond[perSecond.length / 2];
        }
        for (int w = 0; w < workloads; w++) {
            final int index = w;
            String name = rounds.get(0).get(w).name();
            double[] perSecond = rounds.stream().mapToDouble(r -> r.get(index).perSecond()).sorted().toArray();
            double base = name.startsWith("insert") ? medians[0] : medians[workloads / 2];
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f..%.0f | %.2f |%n", name, medians[w], perSecond[0],
                    perSecond[perSecond.length - 1], medians[w] / base);
        }
        System.out.printf(Locale.ROOT, "(%d rounds; each workload %d s per round after %d s warm-up; pool size %d)%n",
                rounds.size(), seconds, WARMUP.toSeconds(), threads);
    }
}
