package org.foobarstack.loadgen.cli;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A DNS server for the tests, on a UDP port of its own: it answers one name's A record (and NXDOMAIN for anything
 * else), or, when silent, reads queries and never answers. It keeps the names it was asked for.
 */
final class TestDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Name name;
    private final InetAddress address;
    private final List<String> questions = new CopyOnWriteArrayList<>();
    private final Thread thread;

    private TestDnsServer(String name, InetAddress address) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.name = name == null ? null : Name.fromString(name, Name.root);
        this.address = address;
        this.thread = new Thread(this::serve, "test-dns-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** Answers {@code name IN A address}. */
    static TestDnsServer answering(String name, InetAddress address) throws IOException {
        return new TestDnsServer(name, address);
    }

    /** Never answers, like a DNS server that is not running behind a firewall that drops the packets. */
    static TestDnsServer silent() throws IOException {
        return new TestDnsServer(null, null);
    }

    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** The names asked for so far, e.g. "www.foobar.com." */
    List<String> questions() {
        return questions;
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                Message query = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                Record question = query.getQuestion();
                questions.add(question.getName().toString());
                if (name == null) {
                    continue;
                }
                Message response = new Message(query.getHeader().getID());
                response.getHeader().setFlag(Flags.QR);
                response.getHeader().setFlag(Flags.AA);
                response.addRecord(question, Section.QUESTION);
                if (question.getName().equals(name) && question.getType() == Type.A) {
                    response.addRecord(new ARecord(name, DClass.IN, 60, address), Section.ANSWER);
                } else {
                    response.getHeader().setRcode(Rcode.NXDOMAIN);
                }
                byte[] wire = response.toWire();
                socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a packet that is not DNS: carry on until closed
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5_000);
    }
}
