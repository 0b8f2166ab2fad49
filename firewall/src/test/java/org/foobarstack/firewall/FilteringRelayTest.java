package org.foobarstack.firewall;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The relay that puts a firewall in front of a server we cannot put a handler into (Derby's): the database
 * listens privately on 127.0.0.1, the relay on server-1's public address, and only the app servers get through.
 */
class FilteringRelayTest {

    private static final String SERVER_1 = "127.0.0.11";
    private static final String APP = "127.0.0.12";
    private static final String REJECTED = "127.0.0.20";
    private static final String STRANGER = "127.0.0.99";

    private final Transport transport = Transport.best();
    private EventLoopGroup group;
    private EchoServer database;
    private Firewall firewall;
    private FilteringRelay relay;
    private InetSocketAddress publicAddress;

    @BeforeEach
    void start() throws Exception {
        group = transport.newGroup();
        database = new EchoServer(transport, group, new InetSocketAddress("127.0.0.1", 0), Firewall.open("db"),
                Duration.ofMinutes(2));
        firewall = new Firewall("server-1", List.of(
                new Rule(1, Action.ACCEPT, Protocol.TCP, 0, List.of(Source.parse(APP)), "the app servers"),
                new Rule(2, Action.REJECT, Protocol.TCP, 0, List.of(Source.parse(REJECTED)), "")), Action.DROP);
        relay = new FilteringRelay(new InetSocketAddress(SERVER_1, 0), database.address(),
                InetAddress.getByName(SERVER_1), firewall, group, Duration.ofSeconds(3));
        publicAddress = relay.start();
    }

    @AfterEach
    void stop() {
        relay.close();
        database.close();
        Transport.shutDown(group);
    }

    @Test
    void anAllowedClientReachesTheDatabaseWhichSeesTheHostsAddress() throws Exception {
        assertThat(publicAddress.getAddress().getHostAddress()).isEqualTo(SERVER_1);
        assertThat(publicAddress.getPort()).isPositive();
        try (Socket app = connect(APP)) {
            app.getOutputStream().write("SELECT 1".getBytes(StandardCharsets.US_ASCII));

            assertThat(new String(app.getInputStream().readNBytes(8), StandardCharsets.US_ASCII))
                    .isEqualTo("SELECT 1");
            assertThat(database.heard.get(0)).as("the connection leaves from server-1's address")
                    .startsWith("active " + SERVER_1 + ":");
        }
    }

    @Test
    void manyMegabytesPassBothWaysUnchanged() throws Exception {
        byte[] sent = new byte[8 * 1024 * 1024];
        new Random(42).nextBytes(sent);
        try (Socket app = connect(APP)) {
            // one thread writes while this one reads the echo: the relay must pass the bytes on in both directions
            // at once, pausing a side whose peer is full rather than buffering all of it
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = app.getOutputStream();
                    for (int off = 0; off < sent.length; off += 64 * 1024) {
                        out.write(sent, off, 64 * 1024);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] received = app.getInputStream().readNBytes(sent.length);
            writing.get(30, TimeUnit.SECONDS);

            assertThat(received).isEqualTo(sent);
        }
    }

    @Test
    void whenTheClientClosesTheDatabaseConnectionClosesToo() throws Exception {
        try (Socket app = connect(APP)) {
            app.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
            assertThat(app.getInputStream().read()).isEqualTo('x');
        }
        Channel atDatabase = database.nextAccepted();
        assertThat(atDatabase.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void whenTheDatabaseClosesTheClientSeesTheEnd() throws Exception {
        try (Socket app = connect(APP)) {
            app.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
            assertThat(app.getInputStream().read()).isEqualTo('x');

            database.nextAccepted().close();

            assertThat(app.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aRejectedClientIsResetAndTheDatabaseNeverHearsOfIt() throws Exception {
        assertThat(Clients.resetSeenFrom(REJECTED, publicAddress)).hasMessageContaining("Connection reset");

        assertThat(database.accepted).isEmpty();
        assertThat(firewall.blocked(2)).isEqualTo(1);
    }

    @Test
    void aDroppedClientHearsNothingUntilTheHoldEndsAndTheDatabaseNeverHearsOfIt() throws Exception {
        try (Socket dropped = connect(STRANGER)) {
            dropped.getOutputStream().write("SELECT 1".getBytes(StandardCharsets.US_ASCII));
            InputStream in = dropped.getInputStream();
            dropped.setSoTimeout(300);
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);

            dropped.setSoTimeout(10_000);
            assertThatThrownBy(in::read).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
        }
        assertThat(database.accepted).isEmpty();
        assertThat(firewall.blockedByDefault()).isEqualTo(1);
    }

    @Test
    void aDatabaseThatIsDownResetsTheAllowedClient() throws Exception {
        database.close(); // nothing listens on the backend port any more
        assertThat(Clients.resetSeenFrom(APP, publicAddress)).hasMessageContaining("Connection reset");
    }

    @Test
    void closingTheRelayFreesItsAddress() throws Exception {
        relay.close();

        assertThatThrownBy(() -> connect(APP)).isInstanceOf(java.net.ConnectException.class);
    }

    private Socket connect(String from) throws IOException {
        return Clients.connect(from, publicAddress);
    }
}
