package org.foobarstack.vrrp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.vrrp.BalancerPair.INTERVAL;
import static org.foobarstack.vrrp.BalancerPair.PATIENCE;

/** The master goes away, by a crash or by a clean stop, and the backup takes the address: over real UDP. */
class FailoverTest {

    /** Room for the scheduler and the machine on top of the computed time. */
    private static final Duration MARGIN = Duration.ofMillis(200);

    private final BalancerPair pair = new BalancerPair();

    @AfterEach
    void stop() {
        pair.close();
    }

    @Test
    void whenTheMasterCrashesTheBackupTakesOverAfterMasterDownInterval() throws Exception {
        // A third peer of lb-1's hears what lb-2 hears, and tells the test when the last advertisement went out.
        try (AdvertisementTap tap = new AdvertisementTap(pair.net.udpEndpoint(pair.net.address(30)))) {
            VrrpInstance lb1 = pair.startLb1(pair.lb1Config().peer(tap.endpoint()).build());
            VrrpInstance lb2 = pair.startLb2(pair.lb2Config().build());
            pair.log.await("lb-1", State.MASTER, PATIENCE);
            pair.awaitAnswerFrom("lb-1");
            BalancerPair.awaitAdvertisements(lb2, 3);
            Eventually.until(PATIENCE, "the tap hears lb-1", () -> tap.heard() >= 3, () -> tap.heard() + " heard");

            int mark = pair.log.mark();
            lb1.kill();
            long killed = System.nanoTime();
            TransitionLog.Seen takeover = pair.log.await(mark, "lb-2", State.MASTER, PATIENCE);

            Duration silence = Duration.ofNanos(takeover.nanos() - tap.lastHeardNanos());
            Duration masterDown = VrrpTimers.masterDownInterval(100, INTERVAL);   // 300 ms + 60.9 ms
            assertThat(silence).isGreaterThanOrEqualTo(INTERVAL.multipliedBy(3));
            assertThat(silence).isLessThan(masterDown.plus(MARGIN));
            assertThat(takeover.transition().reason())
                    .startsWith("no advertisement from " + pair.net.lb1().getHostAddress() + " for ");
            assertThat(tap.lastHeardNanos() - killed)
                    .as("nothing sent after the crash (an advertisement already on its way may land just after)")
                    .isLessThan(Duration.ofMillis(50).toNanos());
            pair.awaitAnswerFrom("lb-2");
        }
    }

    @Test
    void whenTheMasterStopsCleanlyTheBackupTakesOverAfterOnlySkewTime() throws Exception {
        VrrpInstance lb1 = pair.startLb1(pair.lb1Config().build());
        VrrpInstance lb2 = pair.startLb2(pair.lb2Config().build());
        pair.log.await("lb-1", State.MASTER, PATIENCE);
        pair.awaitAnswerFrom("lb-1");
        BalancerPair.awaitAdvertisements(lb2, 3);

        int mark = pair.log.mark();
        long closing = System.nanoTime();
        lb1.close();
        TransitionLog.Seen takeover = pair.log.await(mark, "lb-2", State.MASTER, PATIENCE);

        Duration handover = Duration.ofNanos(takeover.nanos() - closing);
        Duration skew = VrrpTimers.skewTime(100, INTERVAL);                     // 60.9 ms
        Duration masterDown = VrrpTimers.masterDownInterval(100, INTERVAL);     // 360.9 ms
        assertThat(handover).isGreaterThanOrEqualTo(skew);
        assertThat(handover).as("well before a Master_Down_Interval").isLessThan(INTERVAL.multipliedBy(3));
        assertThat(handover).isLessThan(masterDown);
        assertThat(takeover.transition().reason()).isEqualTo(pair.net.lb1().getHostAddress()
                + " left MASTER (priority 0 advertisement); took over after Skew_Time 61 ms");
        assertThat(lb1.state()).isEqualTo(State.INITIALIZE);
        pair.awaitAnswerFrom("lb-2");
    }

    /** A UDP socket that counts the datagrams it receives and remembers when the last one came. */
    private static final class AdvertisementTap implements AutoCloseable {
        private final DatagramSocket socket;
        private final AtomicInteger heard = new AtomicInteger();
        private final AtomicLong lastHeardNanos = new AtomicLong();
        private final Thread reader;

        AdvertisementTap(InetSocketAddress endpoint) throws SocketException {
            socket = new DatagramSocket(endpoint);
            reader = new Thread(this::read, "advertisement-tap");
            reader.setDaemon(true);
            reader.start();
        }

        InetSocketAddress endpoint() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        long lastHeardNanos() {
            return lastHeardNanos.get();
        }

        int heard() {
            return heard.get();
        }

        private void read() {
            byte[] buffer = new byte[64];
            while (!socket.isClosed()) {
                try {
                    socket.receive(new DatagramPacket(buffer, buffer.length));
                    lastHeardNanos.set(System.nanoTime());
                    heard.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            reader.join(1_000);
        }
    }
}
