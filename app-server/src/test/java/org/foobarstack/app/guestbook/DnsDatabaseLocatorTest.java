package org.foobarstack.app.guestbook;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The locator against a small authoritative DNS server on loopback whose answers the test changes: it follows a
 * change once told to forget, and keeps serving its last answer while the DNS server is gone.
 */
@Timeout(30)
class DnsDatabaseLocatorTest {

    private static final String ONE = "jdbc:derby://127.0.0.11:1527//data/server-1/foobar";
    private static final String TWO = "jdbc:derby://127.0.0.12:1527//data/server-2/foobar";

    /** Answers A questions from {@link #records} (NXDOMAIN for the others), until closed. */
    static final class FakeDns implements AutoCloseable {
        final Map<String, String> records = new ConcurrentHashMap<>();
        /** Names asked of it that it does not answer at all (the question times out). */
        final java.util.Set<String> silent = ConcurrentHashMap.newKeySet();
        /** TTL per name, 5 s when not given. */
        final Map<String, Long> ttls = new ConcurrentHashMap<>();
        private final DatagramSocket socket;
        private final InetSocketAddress address;
        private final Thread thread;

        FakeDns() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            address = (InetSocketAddress) socket.getLocalSocketAddress();
            thread = new Thread(this::serve, "fake dns");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return address;
        }

        private void serve() {
            byte[] buffer = new byte[512];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                    Message answer = new Message(query.getHeader().getID());
                    answer.getHeader().setFlag(Flags.QR);
                    answer.getHeader().setFlag(Flags.AA);
                    Record question = query.getQuestion();
                    if (silent.contains(question.getName().toString())) {
                        continue;
                    }
                    answer.addRecord(question, Section.QUESTION);
                    String address = records.get(question.getName().toString());
                    if (address == null) {
                        answer.getHeader().setRcode(Rcode.NXDOMAIN);
                    } else {
                        for (String a : address.split(",")) {
                            answer.addRecord(new ARecord(question.getName(), DClass.IN,
                                    ttls.getOrDefault(question.getName().toString(), 5L), InetAddress.getByName(a)),
                                    Section.ANSWER);
                        }
                    }
                    byte[] wire = answer.toWire();
                    socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private FakeDns dns;

    @BeforeEach
    void startDns() throws IOException {
        dns = new FakeDns();
        dns.records.put("db.foobar.com.", "127.0.0.11");
        dns.records.put("replicas.db.foobar.com.", "127.0.0.12");
    }

    @AfterEach
    void stopDns() {
        dns.close();
    }

    private DnsDatabaseLocator locator() {
        return new DnsDatabaseLocator(new ClusterConfig(List.of(new ClusterConfig.DatabaseTarget("db-1", ONE),
                new ClusterConfig.DatabaseTarget("db-2", TWO)), dns.address(), "db.foobar.com",
                "replicas.db.foobar.com", Duration.ofMillis(300)), null);
    }

    @Test
    void theNamesSayWhichDatabaseIsThePrimaryAndWhichAreReplicas() throws Exception {
        DnsDatabaseLocator locator = locator();
        assertThat(locator.primaryUrl()).isEqualTo(ONE);
        assertThat(locator.replicaUrls()).containsExactly(TWO);
    }

    @Test
    void afterAPromotionTheLocatorFollowsOnceToldToForget() throws Exception {
        DnsDatabaseLocator locator = locator();
        assertThat(locator.primaryUrl()).isEqualTo(ONE);

        dns.records.put("db.foobar.com.", "127.0.0.12");
        dns.records.remove("replicas.db.foobar.com.");
        assertThat(locator.primaryUrl()).as("within its TTL, the answer it has").isEqualTo(ONE);
        locator.forget();

        assertThat(locator.primaryUrl()).isEqualTo(TWO);
        assertThat(locator.replicaUrls()).as("NXDOMAIN: no replicas").isEmpty();
    }

    @Test
    void thePrimaryAndTheReplicasAreAlwaysAskedTogetherSoAFailoverIsNeverSeenHalfway() throws Exception {
        dns.ttls.put("replicas.db.foobar.com.", 0L);
        DnsDatabaseLocator locator = locator();
        assertThat(locator.primaryUrl()).isEqualTo(ONE);
        assertThat(locator.replicaUrls()).containsExactly(TWO);

        dns.records.put("db.foobar.com.", "127.0.0.12"); // the replica was promoted
        dns.records.remove("replicas.db.foobar.com.");

        assertThat(locator.replicaUrls()).as("the replicas' answer expired at once").isEmpty();
        assertThat(locator.primaryUrl()).as("asked again with the replicas, not kept for its own 5 s")
                .isEqualTo(TWO);
    }

    @Test
    void whenOneOfTheTwoNamesGoesUnansweredTheLastPairIsKeptWhole() throws Exception {
        dns.ttls.put("replicas.db.foobar.com.", 0L);
        dns.ttls.put("db.foobar.com.", 0L);
        DnsDatabaseLocator locator = locator();
        assertThat(locator.primaryUrl()).isEqualTo(ONE);
        assertThat(locator.replicaUrls()).containsExactly(TWO);

        dns.records.put("db.foobar.com.", "127.0.0.12"); // a promotion, of which the app hears only half
        dns.records.remove("replicas.db.foobar.com.");
        dns.silent.add("db.foobar.com.");

        assertThat(locator.replicaUrls()).as("the replica it knew, not a fresh empty list").containsExactly(TWO);
        assertThat(locator.primaryUrl()).isEqualTo(ONE);
    }

    @Test
    void whileTheNameServerIsDownTheLastAnswersServe() throws Exception {
        DnsDatabaseLocator locator = locator();
        assertThat(locator.primaryUrl()).isEqualTo(ONE);
        assertThat(locator.replicaUrls()).containsExactly(TWO);

        dns.close();
        locator.forget();

        assertThat(locator.primaryUrl()).isEqualTo(ONE);
        assertThat(locator.replicaUrls()).containsExactly(TWO);
    }

    @Test
    void anAppThatNeverHadAnAnswerHasNoPrimary() {
        dns.close();
        DnsDatabaseLocator locator = locator();
        assertThatThrownBy(locator::primaryUrl).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("cannot find db.foobar.com");
        assertThat(locator.replicaUrls()).isEmpty();
    }

    @Test
    void anAddressThatIsNoneOfTheAppsDatabasesIsNotAPrimary() {
        dns.records.put("db.foobar.com.", "127.0.0.99");
        DnsDatabaseLocator locator = locator();
        assertThatThrownBy(locator::primaryUrl).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("127.0.0.99, which is none of this app's databases");
    }
}
