package org.foobarstack.app.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay that makes a host's database connections leave from the host's address: the server on the other side
 * sees the host's address, and bytes go through both ways unchanged.
 */
class SourceAddressRelayTest {

    @Test
    void theServerSeesTheHostsAddressAndTheBytesPassBothWays() throws Exception {
        InetAddress host = InetAddress.getByName("127.0.0.12");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (ServerSocket database = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            database.setSoTimeout(5000);
            SourceAddressRelay relay = new SourceAddressRelay(host,
                    new InetSocketAddress("127.0.0.1", database.getLocalPort()), group, NioServerSocketChannel.class,
                    NioSocketChannel.class);
            InetSocketAddress via = relay.start();
            assertThat(via.getAddress()).isEqualTo(host);
            try (Socket driver = new Socket()) {
                // the driver connects as Derby's does, without choosing its own address: the kernel picks 127.0.0.1
                driver.connect(via, 5000);
                driver.setSoTimeout(5000);
                try (Socket accepted = database.accept()) {
                    accepted.setSoTimeout(5000);
                    assertThat(accepted.getInetAddress()).as("who the database sees").isEqualTo(host);
                    OutputStream toDatabase = driver.getOutputStream();
                    toDatabase.write("ping".getBytes(StandardCharsets.US_ASCII));
                    toDatabase.flush();
                    assertThat(new String(accepted.getInputStream().readNBytes(4), StandardCharsets.US_ASCII))
                            .isEqualTo("ping");
                    accepted.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
                    accepted.getOutputStream().flush();
                    InputStream fromDatabase = driver.getInputStream();
                    assertThat(new String(fromDatabase.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("pong");
                    // the database closes: the driver's side ends too
                    accepted.close();
                    assertThat(fromDatabase.read()).isEqualTo(-1);
                }
            } finally {
                relay.close();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aRefusedDatabaseClosesTheDriversConnection() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = probe.getLocalPort();
        }
        SourceAddressRelay relay = new SourceAddressRelay(InetAddress.getByName("127.0.0.13"),
                new InetSocketAddress("127.0.0.1", closedPort), group, NioServerSocketChannel.class,
                NioSocketChannel.class);
        try (Socket driver = new Socket()) {
            driver.connect(relay.start(), 5000);
            driver.setSoTimeout(5000);
            assertThat(driver.getInputStream().read()).isEqualTo(-1);
        } finally {
            relay.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void onlyAHostAddressOtherThanTheKernelsChoiceNeedsIt() throws Exception {
        assertThat(SourceAddressRelay.needed(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(SourceAddressRelay.needed(InetAddress.getByName("0.0.0.0"))).isFalse();
        assertThat(SourceAddressRelay.needed(InetAddress.getByName("127.0.0.11"))).isTrue();
    }
}
