package org.foobarstack.app.bench;

import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.trace.TraceContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the text of an SQL statement costs the guestbook's page read, one client thread over the Derby client
 * driver to a Derby Network Server in this JVM (run by hand, not a test):
 *
 * <ol>
 *   <li><b>reused</b>: one PreparedStatement, prepared once, executed again and again (what the app tier does);</li>
 *   <li><b>prepare each time, same text</b>: prepare + execute per read; the server finds the compiled plan in its
 *       statement cache (keyed by the exact text), so this adds the prepare round trip only;</li>
 *   <li><b>prepare each time, traceparent comment</b>: the text starts with {@code /* traceparent=00-<new id>... *}{@code /},
 *       new for every request, so the server's cache never hits and Derby compiles the statement every time.</li>
 * </ol>
 * Rounds are interleaved and the median is printed, because the development machine is shared.
 *
 * <pre>
 * mvn -q -o -pl app-server -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=/tmp/app-cp.txt
 * java -cp app-server/target/classes:app-server/target/test-classes:$(cat /tmp/app-cp.txt) \
 *     org.foobarstack.app.bench.SqlTextBenchmark 5 2000
 * </pre>
 */
public final class SqlTextBenchmark {

    private static final String LIST = "SELECT ID, AUTHOR, BODY, CREATED_AT FROM MESSAGES "
            + "--DERBY-PROPERTIES index=MESSAGES_ID_DESC\nORDER BY ID DESC FETCH FIRST ? ROWS ONLY";
    private static final int PAGE = 21;

    private SqlTextBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int reads = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Path dir = Files.createTempDirectory("sql-text-bench");
        System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
        try (StorageServer storage = new StorageServer(StorageConfig.builder().host("127.0.0.1").port(0)
                .dataDir(dir.resolve("data")).build())) {
            storage.start();
            try (Connection c = DriverManager.getConnection(storage.jdbcUrl(), storage.appUser(),
                    storage.appPassword())) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)")) {
                    for (int i = 0; i < 40; i++) {
                        insert.setString(1, "bench");
                        insert.setString(2, "message " + i);
                        insert.executeUpdate();
                    }
                }
                List<double[]> micros = List.of(new double[rounds], new double[rounds], new double[rounds]);
                for (int round = -1; round < rounds; round++) { // round -1 warms up the JIT and the server
                    double reused = reused(c, reads);
                    double same = prepareEach(c, reads, false);
                    double comment = prepareEach(c, Math.max(50, reads / 10), true);
                    if (round >= 0) {
                        micros.get(0)[round] = reused;
                        micros.get(1)[round] = same;
                        micros.get(2)[round] = comment;
                    }
                }
                String[] names = {"reused PreparedStatement", "prepare each time, same text",
                        "prepare each time, traceparent comment"};
                System.out.printf("%d rounds; %d reads each (%d with the comment); %d cores; load %s%n", rounds,
                        reads, Math.max(50, reads / 10), Runtime.getRuntime().availableProcessors(),
                        Files.readString(Path.of("/proc/loadavg")).trim());
                for (int i = 0; i < names.length; i++) {
                    double[] values = micros.get(i);
                    Arrays.sort(values);
                    System.out.printf("%-40s median %8.1f us per read (min %.1f, max %.1f)%n", names[i],
                            values[values.length / 2], values[0], values[values.length - 1]);
                }
            }
        }
    }

    private static double reused(Connection c, int reads) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LIST)) {
            ps.setQueryTimeout(5);
            long start = System.nanoTime();
            for (int i = 0; i < reads; i++) {
                ps.setInt(1, PAGE);
                consume(ps);
            }
            return (System.nanoTime() - start) / 1000.0 / reads;
        }
    }

    private static double prepareEach(Connection c, int reads, boolean comment) throws SQLException {
        long start = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            String text = comment ? "/* traceparent=" + TraceContext.fresh().toHeader() + " */ " + LIST : LIST;
            try (PreparedStatement ps = c.prepareStatement(text, Statement.NO_GENERATED_KEYS)) {
                ps.setQueryTimeout(5);
                ps.setInt(1, PAGE);
                consume(ps);
            }
        }
        return (System.nanoTime() - start) / 1000.0 / reads;
    }

    private static void consume(PreparedStatement ps) throws SQLException {
        List<String> rows = new ArrayList<>(PAGE);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(rs.getString(3));
            }
        }
        if (rows.size() != PAGE) {
            throw new IllegalStateException("expected " + PAGE + " rows, got " + rows.size());
        }
    }
}
