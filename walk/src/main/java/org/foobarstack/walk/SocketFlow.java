package org.foobarstack.walk;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The client socket a step used: its transport and its two ports. With {@code --packets} this is how the
 * walk finds its own packets among everything captured: on one host, a transport and a local port name a
 * socket (RFC 9293 §3.1 for TCP, RFC 768 for UDP).
 *
 * @param transport "TCP" or "UDP"
 * @param localPort the port the kernel gave the walk's socket
 * @param remote    the server's address and port
 */
public record SocketFlow(String transport, int localPort, InetSocketAddress remote) {

    public SocketFlow {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(remote, "remote");
    }

    public static SocketFlow tcp(int localPort, InetSocketAddress remote) {
        return new SocketFlow("TCP", localPort, remote);
    }

    public static SocketFlow udp(int localPort, InetSocketAddress remote) {
        return new SocketFlow("UDP", localPort, remote);
    }
}
