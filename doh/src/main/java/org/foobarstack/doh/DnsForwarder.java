package org.foobarstack.doh;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Asks the DNS server one question the way a stub resolver does, and blocks until it has the answer;
 * {@link DohHandler} runs it on a worker thread, never on the web tier's event loop.
 *
 * <ol>
 *   <li>The query goes out with a fresh random ID (RFC 5452 §9.2: an answer must match the ID, and
 *       an unpredictable ID is what makes a forged answer hard to guess); the caller puts the
 *       client's own ID back on the answer.</li>
 *   <li>UDP first: one datagram from a fresh port, the socket connected to the server so that an
 *       ICMP "port unreachable" (nothing listening) comes back as an error at once instead of a
 *       timeout. Datagrams with another ID, or that are not responses, are ignored.</li>
 *   <li>If the answer has TC set, it did not fit: the same query again over TCP, with the 2-byte
 *       length before it (RFC 1035 §4.2.2, RFC 7766 §5).</li>
 * </ol>
 * Every message sent and received is returned as a {@link Leg}, so the caller can record each one
 * as a hop; a failure carries the legs that happened before it.
 */
final class DnsForwarder {

    /** The length prefix of a DNS message on TCP caps it at 65535 bytes (RFC 1035 §4.2.2). */
    static final int MAX_MESSAGE = 65535;
    private static final int HEADER_LENGTH = 12;
    private static final int QR = 0x80;
    private static final int TC = 0x02;

    /** Which way a message went. */
    enum Way { SENT, RECEIVED }

    /** One message on the wire between us and the DNS server. */
    record Leg(Way way, String transport, byte[] wire, long startNanos, long endNanos) {
    }

    /** The answer with the client's ID back in place, and every message exchanged to get it. */
    record Outcome(byte[] answer, List<Leg> legs) {
    }

    /** The DNS server could not be asked; {@code legs} are the messages exchanged before the failure. */
    static final class ForwardException extends Exception {
        private final DohProblem problem;
        private final transient List<Leg> legs;

        ForwardException(DohProblem problem, String detail, List<Leg> legs) {
            super(detail);
            this.problem = problem;
            this.legs = List.copyOf(legs);
        }

        DohProblem problem() {
            return problem;
        }

        List<Leg> legs() {
            return legs;
        }
    }

    private final InetSocketAddress server;
    private final Duration timeout;
    private final SecureRandom random = new SecureRandom();

    /** Where the questions leave from, or null for the kernel's choice. */
    private final java.net.InetAddress source;

    DnsForwarder(InetSocketAddress server, Duration timeout) {
        this(server, timeout, null);
    }

    DnsForwarder(InetSocketAddress server, Duration timeout, java.net.InetAddress source) {
        this.source = source;
        this.server = server;
        this.timeout = timeout;
    }

    InetSocketAddress server() {
        return server;
    }

    /** Blocks: asks the server, UDP then TCP if truncated, within the timeout. */
    Outcome ask(byte[] clientQuery) throws ForwardException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int clientId = id(clientQuery);
        byte[] query = clientQuery.clone();
        int ourId = random.nextInt(1 << 16);
        setId(query, ourId);
        List<Leg> legs = new ArrayList<>();

        byte[] answer = overUdp(query, ourId, deadline, legs);
        if ((answer[2] & TC) != 0) {
            answer = overTcp(query, ourId, deadline, legs);
        }
        setId(answer, clientId);
        return new Outcome(answer, legs);
    }

    private byte[] overUdp(byte[] query, int ourId, long deadline, List<Leg> legs) throws ForwardException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
            socket.connect(server);
            long sendStart = System.nanoTime();
            socket.send(new DatagramPacket(query, query.length));
            legs.add(new Leg(Way.SENT, "UDP", query, sendStart, System.nanoTime()));
            byte[] buffer = new byte[MAX_MESSAGE];
            while (true) {
                socket.setSoTimeout(remainingMillis(deadline, legs));
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                long received = System.nanoTime();
                byte[] answer = Arrays.copyOf(buffer, packet.getLength());
                if (isAnswerTo(answer, ourId)) {
                    legs.add(new Leg(Way.RECEIVED, "UDP", answer, received, System.nanoTime()));
                    return answer;
                }
                // not ours (a late answer to someone else, or garbage): keep waiting for ours
            }
        } catch (PortUnreachableException e) {
            throw new ForwardException(DohProblem.DNS_SERVER_UNREACHABLE,
                    "nothing listens on UDP " + hostPort(server) + " (ICMP port unreachable)", legs);
        } catch (SocketTimeoutException e) {
            throw new ForwardException(DohProblem.DNS_SERVER_TIMEOUT,
                    "no answer over UDP from " + hostPort(server) + " within " + timeout.toMillis() + " ms", legs);
        } catch (IOException e) {
            throw new ForwardException(DohProblem.DNS_SERVER_UNREACHABLE,
                    "UDP to " + hostPort(server) + ": " + e.getMessage(), legs);
        }
    }

    private byte[] overTcp(byte[] query, int ourId, long deadline, List<Leg> legs) throws ForwardException {
        try (Socket socket = new Socket()) {
            if (source != null) {
                socket.bind(new InetSocketAddress(source, 0));
            }
            socket.connect(server, remainingMillis(deadline, legs));
            socket.setSoTimeout(remainingMillis(deadline, legs));
            OutputStream out = socket.getOutputStream();
            long sendStart = System.nanoTime();
            byte[] framed = new byte[2 + query.length];
            framed[0] = (byte) (query.length >> 8);
            framed[1] = (byte) query.length;
            System.arraycopy(query, 0, framed, 2, query.length);
            out.write(framed);
            out.flush();
            legs.add(new Leg(Way.SENT, "TCP", query, sendStart, System.nanoTime()));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readUnsignedShort();
            long received = System.nanoTime();
            byte[] answer = new byte[length];
            in.readFully(answer);
            if (!isAnswerTo(answer, ourId)) {
                throw new ForwardException(DohProblem.DNS_SERVER_UNREACHABLE,
                        "the TCP answer from " + hostPort(server) + " is not a response to our query", legs);
            }
            legs.add(new Leg(Way.RECEIVED, "TCP", answer, received, System.nanoTime()));
            return answer;
        } catch (ConnectException e) {
            throw new ForwardException(DohProblem.DNS_SERVER_UNREACHABLE,
                    "nothing listens on TCP " + hostPort(server) + " (the UDP answer was truncated)", legs);
        } catch (SocketTimeoutException e) {
            throw new ForwardException(DohProblem.DNS_SERVER_TIMEOUT,
                    "no answer over TCP from " + hostPort(server) + " within " + timeout.toMillis() + " ms", legs);
        } catch (EOFException e) {
            throw new ForwardException(DohProblem.DNS_SERVER_UNREACHABLE,
                    "the DNS server closed the TCP connection without a whole answer", legs);
        } catch (IOException e) {
            throw new ForwardException(DohProblem.DNS_SERVER_UNREACHABLE,
                    "TCP to " + hostPort(server) + ": " + e.getMessage(), legs);
        }
    }

    private int remainingMillis(long deadline, List<Leg> legs) throws ForwardException {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
            throw new ForwardException(DohProblem.DNS_SERVER_TIMEOUT,
                    "no answer from " + hostPort(server) + " within " + timeout.toMillis() + " ms", legs);
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static boolean isAnswerTo(byte[] message, int id) {
        return message.length >= HEADER_LENGTH && (message[2] & QR) != 0 && id(message) == id;
    }

    static int id(byte[] message) {
        return ((message[0] & 0xff) << 8) | (message[1] & 0xff);
    }

    static void setId(byte[] message, int id) {
        message[0] = (byte) (id >> 8);
        message[1] = (byte) id;
    }

    static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
