package org.foobarstack.toxics;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each toxic measured through real sockets: a client, the proxy and an {@link Upstream} server, all on 127.0.0.1
 * and free ports. Times are lower bounds exactly (the toxic's own figure) and generous upper bounds (a shared CI
 * machine may be slow, never fast). Blocking reads wait, bounded by SO_TIMEOUT; every test by {@code @Timeout}.
 */
@Timeout(30)
class LinkProxyTest {

    private static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final long SLACK_MILLIS = 2_000;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private LinkProxy proxyTo(Upstream upstream) {
        LinkProxy proxy = LinkProxy.builder().name("test")
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(upstream.address()).seed(7).build();
        opened.add(proxy);
        proxy.start();
        return proxy;
    }

    private Upstream upstream(Upstream server) {
        opened.add(server);
        return server;
    }

    private Socket connect(LinkProxy proxy) throws IOException {
        Socket socket = new Socket(proxy.address().getAddress(), proxy.address().getPort());
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        opened.add(socket);
        return socket;
    }

    /** Writes {@code message} and reads the echo back; returns the milliseconds it took. */
    private static long roundTrip(Socket socket, String message) throws IOException {
        long began = System.nanoTime();
        socket.getOutputStream().write(message.getBytes(StandardCharsets.US_ASCII));
        byte[] back = socket.getInputStream().readNBytes(message.length());
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo(message);
        return millis;
    }

    private static byte[] bytes(int n) {
        byte[] data = new byte[n];
        new Random(n).nextBytes(data);
        return data;
    }

    @Test
    void withoutToxics_bytesPassBothWays() throws Exception {
        LinkProxy proxy = proxyTo(upstream(Upstream.echo()));
        Socket socket = connect(proxy);
        assertThat(roundTrip(socket, "hello")).isLessThan(SLACK_MILLIS);
        assertThat(proxy.openConnections()).isEqualTo(1);
    }

    @Test
    void latency_delaysEachChunkByAtLeastTheLatency() throws Exception {
        LinkProxy proxy = proxyTo(upstream(Upstream.echo()));
        proxy.add(Toxic.latency(Duration.ofMillis(200), Duration.ofMillis(50)));
        assertThat(proxy.toxics()).extracting(Toxic::name).containsExactly("latency_downstream");
        Socket socket = connect(proxy);
        for (int i = 0; i < 3; i++) {
            assertThat(roundTrip(socket, "ping " + i)).isBetween(150L, 250 + SLACK_MILLIS);
        }
    }

    @Test
    void upstreamLatency_delaysWhatTheClientSends_notWhatTheServerSends() throws Exception {
        LinkProxy proxy = proxyTo(upstream(new Upstream("hi\n".getBytes(StandardCharsets.US_ASCII), false)));
        proxy.add(Toxic.latency(Duration.ofMillis(300)).upstream());
        assertThat(proxy.toxics()).extracting(Toxic::name).containsExactly("latency_upstream");
        long began = System.nanoTime();
        Socket socket = connect(proxy);
        assertThat(new String(socket.getInputStream().readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("hi\n");
        assertThat((System.nanoTime() - began) / 1_000_000).as("the greeting came downstream").isLessThan(300);
        assertThat(roundTrip(socket, "ping")).as("the ping went upstream").isBetween(300L, 300 + SLACK_MILLIS);
    }

    @Test
    void bandwidth_nBytesTakeAtLeastNOverRate() throws Exception {
        byte[] data = bytes(50_000);
        LinkProxy proxy = proxyTo(upstream(new Upstream(data, true)));
        proxy.add(Toxic.bandwidth(100)); // 100 KB/s: 50,000 bytes take 500 ms
        long began = System.nanoTime();
        Socket socket = connect(proxy);
        byte[] received = socket.getInputStream().readAllBytes();
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertThat(received).isEqualTo(data);
        assertThat(millis).isBetween(500L, 500 + SLACK_MILLIS);
    }

    @Test
    void slicer_deliversOneWriteInSeveralReads_withTheSameBytes() throws Exception {
        byte[] data = bytes(1_000);
        LinkProxy proxy = proxyTo(upstream(new Upstream(data, true)));
        proxy.add(Toxic.slicer(100, 20, Duration.ofMillis(10)));
        Socket socket = connect(proxy);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int reads = 0;
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) > 0; ) {
            received.write(buffer, 0, n);
            reads++;
            assertThat(n).as("a slice is at most average + variation").isLessThanOrEqualTo(120);
        }
        assertThat(received.toByteArray()).isEqualTo(data);
        assertThat(reads).isGreaterThanOrEqualTo(1_000 / 120);
    }

    @Test
    void limitData_closesExactlyAtTheLimit() throws Exception {
        byte[] data = bytes(10_000);
        LinkProxy proxy = proxyTo(upstream(new Upstream(data, false)));
        proxy.add(Toxic.limitData(1_234));
        Socket socket = connect(proxy);
        byte[] received = socket.getInputStream().readAllBytes();
        assertThat(received).hasSize(1_234).isEqualTo(java.util.Arrays.copyOf(data, 1_234));
    }

    @Test
    void resetPeer_isSeenByTheClientAsAReset_afterTheTimeout() throws Exception {
        LinkProxy proxy = proxyTo(upstream(Upstream.echo()));
        proxy.add(Toxic.resetPeer(Duration.ofMillis(200)).upstream());
        Socket socket = connect(proxy);
        long began = System.nanoTime();
        socket.getOutputStream().write("doomed".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> socket.getInputStream().read())
                .isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
        assertThat((System.nanoTime() - began) / 1_000_000).isBetween(200L, 200 + SLACK_MILLIS);
    }

    @Test
    void timeout_stopsAllData_andClosesAfterTheTimeout() throws Exception {
        LinkProxy proxy = proxyTo(upstream(new Upstream("you will not see this".getBytes(StandardCharsets.US_ASCII),
                false)));
        proxy.add(Toxic.timeout(Duration.ofMillis(300)));
        long began = System.nanoTime();
        Socket socket = connect(proxy);
        assertThat(socket.getInputStream().read()).as("no byte, then the end").isEqualTo(-1);
        assertThat((System.nanoTime() - began) / 1_000_000).isBetween(300L, 300 + SLACK_MILLIS);
    }

    @Test
    void timeoutZero_neverCloses_untilRemoved() throws Exception {
        LinkProxy proxy = proxyTo(upstream(Upstream.echo()));
        proxy.add(Toxic.timeout(Duration.ZERO).upstream());
        Socket socket = connect(proxy);
        socket.setSoTimeout(500);
        socket.getOutputStream().write("lost".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> socket.getInputStream().read())
                .as("nothing comes back, and the connection stays open")
                .isInstanceOf(java.net.SocketTimeoutException.class);
        proxy.remove("timeout_upstream");
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        assertThat(socket.getInputStream().read()).as("removed: the connection is closed").isEqualTo(-1);
    }

    @Test
    void slowClose_passesDataAtOnce_andTheCloseLate() throws Exception {
        LinkProxy proxy = proxyTo(upstream(new Upstream("bye".getBytes(StandardCharsets.US_ASCII), true)));
        proxy.add(Toxic.slowClose(Duration.ofMillis(400)));
        long began = System.nanoTime();
        Socket socket = connect(proxy);
        assertThat(new String(socket.getInputStream().readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("bye");
        assertThat((System.nanoTime() - began) / 1_000_000).isLessThan(400);
        assertThat(socket.getInputStream().read()).isEqualTo(-1);
        assertThat((System.nanoTime() - began) / 1_000_000).isBetween(400L, 400 + SLACK_MILLIS);
    }

    @Test
    void toxicityZero_neverApplies_andOne_always() throws Exception {
        LinkProxy proxy = proxyTo(upstream(Upstream.echo()));
        proxy.add(Toxic.latency(Duration.ofMillis(500)).toxicity(0).named("never"));
        for (int i = 0; i < 5; i++) {
            assertThat(roundTrip(connect(proxy), "fast")).isLessThan(500);
        }
        proxy.remove("never");
        proxy.add(Toxic.latency(Duration.ofMillis(200)).toxicity(1).named("always"));
        for (int i = 0; i < 5; i++) {
            assertThat(roundTrip(connect(proxy), "slow")).isGreaterThanOrEqualTo(200);
        }
    }

    @Test
    void toxicity_isRepeatableForTheSameSeed() throws Exception {
        Upstream server = upstream(Upstream.echo());
        List<Boolean> first = slowConnections(server);
        List<Boolean> second = slowConnections(server);
        assertThat(second).isEqualTo(first);
        assertThat(first).contains(true, false); // half of 12: some of each
    }

    private List<Boolean> slowConnections(Upstream server) throws Exception {
        LinkProxy proxy = proxyTo(server);
        proxy.add(Toxic.latency(Duration.ofMillis(300)).toxicity(0.5));
        List<Boolean> slow = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            slow.add(roundTrip(connect(proxy), "?") >= 300);
        }
        return slow;
    }

    @Test
    void addAndRemove_whileAConnectionIsOpen() throws Exception {
        LinkProxy proxy = proxyTo(upstream(Upstream.echo()));
        Socket socket = connect(proxy);
        roundTrip(socket, "warm"); // the first bytes load the proxy's code: not what a toxic adds, so not measured
        assertThat(roundTrip(socket, "before")).isLessThan(300);

        proxy.add(Toxic.latency(Duration.ofMillis(300)).named("slow"));
        assertThat(roundTrip(socket, "during")).isBetween(300L, 300 + SLACK_MILLIS);
        assertThatThrownBy(() -> proxy.add(Toxic.bandwidth(1).named("slow")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("named slow already");

        proxy.remove("slow");
        assertThat(proxy.toxics()).isEmpty();
        assertThat(roundTrip(socket, "after")).isLessThan(300);
        assertThatThrownBy(() -> proxy.remove("slow")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aProxyStartsAgainOnItsPort_andManyRunInOneJvm() throws Exception {
        Upstream server = upstream(Upstream.echo());
        LinkProxy one = proxyTo(server);
        LinkProxy two = proxyTo(server);
        assertThat(one.address()).isNotEqualTo(two.address());
        int port = one.address().getPort();
        one.close();
        assertThat(one.start().getPort()).isEqualTo(port);
        assertThat(roundTrip(connect(one), "again")).isLessThan(SLACK_MILLIS);
    }
}
