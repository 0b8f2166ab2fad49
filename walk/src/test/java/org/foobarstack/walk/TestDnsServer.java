package org.foobarstack.walk;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A small authoritative DNS responder for tests, on one port over UDP and TCP: A records from a map,
 * NXDOMAIN for other names, and optionally TC=1 with no answer over UDP to force a TCP retry.
 */
final class TestDnsServer implements AutoCloseable {

    private final Map<String, InetAddress> zone;
    private final Map<String, String> aliases;
    private final boolean truncateUdp;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    final AtomicInteger udpQueries = new AtomicInteger();
    final AtomicInteger tcpQueries = new AtomicInteger();

    TestDnsServer(Map<String, InetAddress> zone, boolean truncateUdp) throws IOException {
        this(zone, Map.of(), truncateUdp);
    }

    /** @param aliases CNAME records, owner to target, answered alone (the client must ask again) */
    TestDnsServer(Map<String, InetAddress> zone, Map<String, String> aliases, boolean truncateUdp) throws IOException {
        this.zone = zone;
        this.aliases = aliases;
        this.truncateUdp = truncateUdp;
        DatagramSocket boundUdp = null;
        ServerSocket boundTcp = null;
        // UDP and TCP must share a port number; an ephemeral UDP port is nearly always free on TCP too.
        for (int attempt = 0; attempt < 20 && boundTcp == null; attempt++) {
            boundUdp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            try {
                boundTcp = new ServerSocket();
                boundTcp.bind(new InetSocketAddress("127.0.0.1", boundUdp.getLocalPort()));
            } catch (IOException taken) {
                boundTcp = null;
                boundUdp.close();
            }
        }
        if (boundTcp == null) {
            throw new IOException("no port free on both UDP and TCP");
        }
        this.udp = boundUdp;
        this.tcp = boundTcp;
        Thread udpThread = new Thread(this::serveUdp, "test-dns-udp");
        udpThread.setDaemon(true);
        udpThread.start();
        Thread tcpThread = new Thread(this::serveTcp, "test-dns-tcp");
        tcpThread.setDaemon(true);
        tcpThread.start();
    }

    String address() {
        return "127.0.0.1:" + udp.getLocalPort();
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                udpQueries.incrementAndGet();
                Message query = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                byte[] answer = answer(query, truncateUdp).toWire();
                udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                // a datagram that is not DNS: drop it, as a server would
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket socket = tcp.accept()) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] wire = in.readNBytes(in.readUnsignedShort());
                tcpQueries.incrementAndGet();
                byte[] answer = answer(new Message(wire), false).toWire();
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            } catch (IOException closed) {
                if (tcp.isClosed()) {
                    return;
                }
            }
        }
    }

    private Message answer(Message query, boolean truncate) throws IOException {
        Message answer = new Message(query.getHeader().getID());
        answer.getHeader().setFlag(Flags.QR);
        answer.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            answer.getHeader().setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        answer.addRecord(question, Section.QUESTION);
        if (truncate) {
            answer.getHeader().setFlag(Flags.TC);
            return answer;
        }
        Name name = question.getName();
        InetAddress address = zone.get(name.toString());
        String alias = aliases.get(name.toString());
        if (alias != null) {
            answer.addRecord(new CNAMERecord(name, DClass.IN, 3600, Name.fromString(alias)), Section.ANSWER);
        } else if (address == null) {
            answer.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (question.getType() == Type.A) {
            answer.addRecord(new ARecord(name, DClass.IN, 3600, address), Section.ANSWER);
        }
        return answer;
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
