package org.foobarstack.launcher.demo;

import org.foobarstack.admin.HostAction;
import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.StackConfig;
import org.foobarstack.launcher.hosts.DbTierRuntime;
import org.foobarstack.loadgen.LoadConfig;
import org.foobarstack.loadgen.LoadGenerator;
import org.foobarstack.loadgen.LoadReport;
import org.foobarstack.loadgen.RunningLoad;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.storage.replication.ReplicationStatus;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code demo spof}'s database act: the distributed design loses its primary database, and is measured from the
 * outside.
 *
 * <ol>
 *   <li>The design starts on 127.0.{octet}.x; reads run at a constant rate ({@code GET /api/messages}), writes at a
 *       steady one ({@code POST /api/messages}), both through the balancer.</li>
 *   <li>At {@code killAt} server-1, which holds the primary, is killed: its web and app servers too, so the balancer
 *       sends everything to server-2. Reads go on from server-2's replica; writes have nowhere to go and get
 *       503.</li>
 *   <li>At {@code promoteAt} the operator's move: {@code ctl promote server-2}. DNS now names server-2 as the
 *       primary, and writes come back.</li>
 *   <li>At the end, every write that got its 201 is looked for on the new primary. Replication is asynchronous: a
 *       write the old primary acknowledged just before it died, that the replica had not fetched yet, is not there.
 *       The act counts those and names them; it does not hide them.</li>
 * </ol>
 */
public final class DatabaseAct {

    /** How the act runs: read rate, write rate, its length, and when the kill and the promotion come. */
    public record Settings(int readRate, int writeRate, Duration duration, Duration killAt, Duration promoteAt) {
        public static final Settings DEFAULT = new Settings(100, 20, Duration.ofSeconds(12), Duration.ofSeconds(3),
                Duration.ofSeconds(6));
    }

    private final Settings settings;
    private final Consumer<String> progress;

    public DatabaseAct(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public DatabaseActRun run(int thirdOctet) throws InterruptedException {
        Topology topology = ShippedTopologies.load("distributed").relocated(thirdOctet);
        Path data = SpofDemo.temporaryDirectory();
        Stack stack = new Stack(StackConfig.builder().topology(topology).bindAddress(SpofDemo.loopback())
                .adminPort(0).dataDir(data).build());
        try {
            progress.accept("starting distributed on 127.0." + thirdOctet + ".x for the database act ...");
            stack.start(line -> { });
            InetSocketAddress front = stack.front();
            new LoadGenerator().start(LoadConfig.builder(front).hostHeader("www.foobar.com").path("/api/messages")
                    .rate(Math.max(50, settings.readRate())).duration(Duration.ofSeconds(2)).build()).await();

            RunningLoad reads = new LoadGenerator().start(LoadConfig.builder(front).hostHeader("www.foobar.com")
                    .path("/api/messages").rate(settings.readRate()).duration(settings.duration()).connections(16)
                    .build());
            long start = System.nanoTime() - reads.elapsedMillis() * 1_000_000;
            Writes writes = new Writes(front, settings.writeRate(), start);
            writes.start();
            progress.accept("  " + settings.readRate() + " reads/s and " + settings.writeRate() + " writes/s for "
                    + settings.duration().toSeconds() + " s; kill server-1 (the primary) at "
                    + settings.killAt().toSeconds() + " s, promote server-2 at " + settings.promoteAt().toSeconds()
                    + " s");
            SpofDemo.waitUntil(reads, settings.killAt());
            String lag = lag(stack);
            long killedAt = reads.elapsedMillis();
            stack.act("server-1", HostAction.KILL);
            progress.accept("  " + SpofDemo.seconds(killedAt) + "  server-1 killed (the replica was " + lag
                    + " behind)");
            SpofDemo.waitUntil(reads, settings.promoteAt());
            String promotion = stack.act("server-2", HostAction.PROMOTE);
            long promotedAt = reads.elapsedMillis();
            progress.accept("  " + SpofDemo.seconds(promotedAt) + "  server-2 promoted");
            LoadReport readReport = reads.await();
            writes.close();
            List<Writes.Write> done = writes.done();
            List<Long> lost = lost(stack, done);
            return new DatabaseActRun(readReport, done, killedAt, promotedAt, promotion, lag, lost);
        } finally {
            stack.close();
            SpofDemo.deleteQuietly(data);
        }
    }

    /** The replica's lag as it reports it, just before the kill. */
    private static String lag(Stack stack) {
        StorageServer replica = ((DbTierRuntime) stack.context().tier("server-2", Role.DB)).server();
        ReplicationStatus status = replica.replicationStatus();
        return status.lagTransactions() + " txn, " + status.lag().toMillis() + " ms";
    }

    /** The acknowledged writes whose rows the new primary (server-2's database) does not have. */
    private static List<Long> lost(Stack stack, List<Writes.Write> writes) {
        StorageServer primary = ((DbTierRuntime) stack.context().tier("server-2", Role.DB)).server();
        Set<Long> present = new HashSet<>();
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl(), primary.appUser(), primary.appPassword());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ID FROM MESSAGES")) {
            while (rs.next()) {
                present.add(rs.getLong(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the new primary's messages: " + e.getMessage(), e);
        }
        return writes.stream().filter(Writes.Write::acknowledged).map(Writes.Write::id)
                .filter(id -> !present.contains(id)).toList();
    }

}
