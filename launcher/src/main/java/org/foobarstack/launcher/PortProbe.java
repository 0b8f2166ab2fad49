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

    public static boolean accepts(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
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
