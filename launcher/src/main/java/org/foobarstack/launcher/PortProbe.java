package org.foobarstack.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Answers "does this TCP port accept a connection yet?", the launcher's definition of a tier being ready. */
public final class PortProbe {

    private static final int CONNECT_TIMEOUT_MILLIS = 500;
    private static final long RETRY_PAUSE_NANOS = Duration.ofMillis(20).toNanos();

    private PortProbe() {
    }

    /**
     * Whether {@code address} accepts a connection now. The probe leaves from the same address when it is a
     * loopback address other than 127.0.0.1 (a host of a topology): the host asking itself, which its firewall
     * lets through, as a real server's rules let its own loopback traffic through.
     */
    public static boolean accepts(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            if (address.getAddress().isLoopbackAddress() && !address.getAddress().getHostAddress().equals("127.0.0.1")
                    && address.getAddress() instanceof java.net.Inet4Address) {
                socket.bind(new InetSocketAddress(address.getAddress(), 0));
            }
            socket.connect(address, CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Polls until the port accepts or the deadline passes. Polling is the only way to learn when another
     * component's socket is ready from the outside; each try is a real connection, as a client would make.
     */
    public static boolean waitUntilAccepting(InetSocketAddress address, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (accepts(address)) {
                return true;
            }
            LockSupport.parkNanos(RETRY_PAUSE_NANOS);
        }
        return accepts(address);
    }
}
