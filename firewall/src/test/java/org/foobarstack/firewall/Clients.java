package org.foobarstack.firewall;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

/** Plain blocking client sockets, as a host's own connections: each leaves from the host's address. */
final class Clients {

    private Clients() {
    }

    /** Connects from {@code from} (an address; the port is the kernel's choice) to {@code to}. */
    static Socket connect(String from, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(to, 5000);
            s.setSoTimeout(5000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Connects from {@code from} and reads, expecting a reset, and returns it. The reset shows wherever the client
     * is when it arrives: usually at the first read, but when the server is quicker than the client's
     * {@code connect()} call is to return, already there, as a real {@code reject with tcp reset} would show it.
     */
    static SocketException resetSeenFrom(String from, InetSocketAddress to) throws IOException {
        try (Socket s = connect(from, to)) {
            int got = s.getInputStream().read();
            throw new AssertionError("expected a reset, but the read returned " + got);
        } catch (SocketException reset) {
            return reset;
        }
    }
}
