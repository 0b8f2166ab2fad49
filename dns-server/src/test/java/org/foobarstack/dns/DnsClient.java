package org.foobarstack.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/**
 * A deliberately plain DNS client for tests: raw {@link DatagramSocket} and {@link Socket}, so a
 * test controls every byte (EDNS or not, no automatic TCP retry) and sees exactly what came back.
 */
final class DnsClient {

    static final int TIMEOUT_MILLIS = 5000;

    private DnsClient() {
    }

    static Message query(String name, int type) {
        try {
            Message m = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
            return m;
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Message queryWithEdns(String name, int type, int payloadSize) {
        Message m = query(name, type);
        m.addRecord(new OPTRecord(payloadSize, 0, 0), Section.ADDITIONAL);
        return m;
    }

    static Message send(Transport transport, InetSocketAddress server, Message query) throws IOException {
        return transport == Transport.UDP ? udp(server, query.toWire()) : tcp(server, query.toWire()).get(0);
    }

    static Message udp(InetSocketAddress server, byte[] query) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.send(new DatagramPacket(query, query.length, server));
            byte[] buf = new byte[65535];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            socket.receive(reply);
            return new Message(java.util.Arrays.copyOf(buf, reply.getLength()));
        }
    }

    /** Sends one framed query on a new connection and reads one reply. */
    static List<Message> tcp(InetSocketAddress server, byte[] query) throws IOException {
        return tcpExchange(server, List.of(query), 1);
    }

    /** Writes every query (length-prefixed, back to back) on one connection, then reads {@code replies} replies. */
    static List<Message> tcpExchange(InetSocketAddress server, List<byte[]> queries, int replies) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            for (byte[] q : queries) {
                out.writeShort(q.length);
                out.write(q);
            }
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<Message> result = new ArrayList<>();
            for (int i = 0; i < replies; i++) {
                result.add(readFramed(in));
            }
            return result;
        }
    }

    static Message readFramed(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        byte[] body = new byte[length];
        in.readFully(body);
        return new Message(body);
    }
}
