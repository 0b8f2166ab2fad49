package org.foobarstack.vrrp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback addresses for one test, in a /24 of its own (127.0.N.0/24), so that no datagram of one test reaches
 * another: lb-1 is 127.0.N.10, lb-2 127.0.N.20, the virtual address 127.0.N.100. On Linux every address of
 * 127.0.0.0/8 is on the loopback interface, so each can be bound without any setup.
 */
final class TestNet {

    private static final AtomicInteger NEXT = new AtomicInteger(71);

    private final int net = NEXT.getAndIncrement();

    InetAddress address(int host) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) net, (byte) host});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    InetAddress lb1() {
        return address(10);
    }

    InetAddress lb2() {
        return address(20);
    }

    InetAddress virtualAddress() {
        return address(100);
    }

    /** {@code address} and a UDP port free on it just now. */
    InetSocketAddress udpEndpoint(InetAddress address) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(address, 0))) {
            return new InetSocketAddress(address, probe.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP port free on {@code address} just now. */
    int freeTcpPort(InetAddress address) {
        try (ServerSocket probe = new ServerSocket(0, 1, address)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
