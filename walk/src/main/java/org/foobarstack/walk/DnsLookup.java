package org.foobarstack.walk;

import org.foobarstack.trace.DnsTraceOption;
import org.foobarstack.trace.TraceContext;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.fields.DnsFields;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Step 1 of a walk: ask our DNS server for the host's A record, the way a stub resolver does, and never
 * the machine's own resolver.
 *
 * <ol>
 *   <li>Build the query with dnsjava (RD set, one question: host, A, IN) and send it in one UDP datagram
 *       (RFC 1035 §4.2.1).</li>
 *   <li>Wait for the datagram that answers it (same ID, from the server we asked).</li>
 *   <li>If the answer has TC=1, it did not fit: ask again over TCP, with the two-byte length prefix of
 *       RFC 1035 §4.2.2, as RFC 7766 §5 requires of a resolver.</li>
 *   <li>Take the first A record of the answer section as the address to connect to; if the answer holds
 *       only a CNAME for the name, ask again for its target.</li>
 * </ol>
 */
final class DnsLookup {

    /** The UDP payload size the query advertises in its OPT record: the DNS flag day 2020 value. */
    private static final int EDNS_UDP_PAYLOAD = 1232;

    /** RFC 1035 §4.2.1 limits plain UDP to 512 bytes, EDNS (RFC 6891) raises it: read any datagram. */
    private static final int MAX_DATAGRAM = 65535;
    /** RFC 1035 §4.2.2: a DNS message over TCP is preceded by its length in two bytes. */
    private static final int TCP_LENGTH_PREFIX = 2;
    /** How many aliases to follow before giving up on a loop. */
    private static final int MAX_CNAME_CHAIN = 8;
    /** A one-line summary names this many answer records; the transcript shows them all. */
    private static final int RECORDS_IN_SUMMARY = 3;

    private final WalkRequest request;
    private final StepLog log;
    private final String server;

    DnsLookup(WalkRequest request, StepLog log, TraceContext context) {
        this.request = request;
        this.log = log;
        this.context = context;
        InetSocketAddress dns = request.dns();
        this.server = dns.getHostString() + "#" + dns.getPort();
    }

    /** The trace the walk belongs to: it rides in each query as an EDNS option ({@link DnsTraceOption}). */
    private final TraceContext context;

    InetAddress resolve(String host) throws WalkException {
        Name name;
        try {
            name = Name.fromString(host.endsWith(".") ? host : host + ".");
        } catch (TextParseException e) {
            throw new WalkException(WalkFailure.RESOLVE, "not a domain name: " + host + " (" + e.getMessage() + ")");
        }
        // A name may be an alias (CNAME, RFC 1034 §3.6.2): follow the chain a few links, as a stub resolver does.
        for (int link = 0; link < MAX_CNAME_CHAIN; link++) {
            Message answer = ask(name);
            int rcode = answer.getRcode();
            if (rcode != Rcode.NOERROR) {
                throw new WalkException(WalkFailure.RESOLVE, "the DNS server at " + server + " answered "
                        + Rcode.string(rcode) + " for " + name);
            }
            Name alias = null;
            for (Record record : answer.getSection(Section.ANSWER)) {
                if (record instanceof ARecord) {
                    return ((ARecord) record).getAddress();
                }
                if (record instanceof CNAMERecord && record.getName().equals(name)) {
                    alias = ((CNAMERecord) record).getTarget();
                }
            }
            if (alias == null) {
                throw new WalkException(WalkFailure.RESOLVE, "the DNS server at " + server
                        + " answered NOERROR but with no A record for " + name + " (NODATA, RFC 2308 §2.2)");
            }
            name = alias;
        }
        throw new WalkException(WalkFailure.RESOLVE, "more than " + MAX_CNAME_CHAIN + " CNAME links from " + host);
    }

    /** One question, over UDP and then over TCP if the UDP answer was truncated. */
    private Message ask(Name name) throws WalkException {
        Message query = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
        // The trace id travels in an EDNS option, so that our DNS server files its hops under this walk's trace.
        DnsTraceOption.addTo(query, context, EDNS_UDP_PAYLOAD);
        byte[] queryWire = query.toWire();
        Message answer = overUdp(name, query, queryWire);
        if (answer.getHeader().getFlag(Flags.TC)) {
            answer = overTcp(name, query, queryWire);
        }
        return answer;
    }

    private Message overUdp(Name name, Message query, byte[] queryWire) throws WalkException {
        InetSocketAddress dns = request.dns();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(dns);
            socket.setSoTimeout(timeoutMillis());
            SocketFlow flow = SocketFlow.udp(socket.getLocalPort(), dns);
            long sendStart = System.nanoTime();
            socket.send(new DatagramPacket(queryWire, queryWire.length));
            long sent = System.nanoTime();
            log.add(Protocol.DNS, Direction.SENT, "query " + name + " A over UDP", server, sendStart, sent,
                    DnsFields.of(queryWire), queryTranscript(name, query, "UDP"), flow);
            byte[] buffer = new byte[MAX_DATAGRAM];
            long deadline = sendStart + request.timeout().toNanos();
            while (true) {
                if (System.nanoTime() - deadline > 0) {
                    throw new SocketTimeoutException("only datagrams that answer other queries");
                }
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                long received = System.nanoTime();
                byte[] wire = Arrays.copyOf(packet.getData(), packet.getLength());
                Message answer = parse(wire);
                if (answer == null || answer.getHeader().getID() != query.getHeader().getID()) {
                    // Not the answer to our query (RFC 5452 §9.1: match the ID); keep waiting.
                    continue;
                }
                long decoded = System.nanoTime();
                log.add(Protocol.DNS, Direction.RECEIVED, answerSummary(answer, "UDP"), server, received, decoded,
                        DnsFields.of(wire), answerTranscript(answer, wire.length, received - sendStart, "UDP"), flow);
                return answer;
            }
        } catch (SocketTimeoutException e) {
            throw new WalkException(WalkFailure.TIMEOUT, "no DNS answer from " + server + " over UDP within "
                    + timeoutMillis() + " ms");
        } catch (IOException e) {
            throw new WalkException(WalkFailure.RESOLVE, "DNS over UDP to " + server + " failed: " + e.getMessage(), e);
        }
    }

    private Message overTcp(Name name, Message query, byte[] queryWire) throws WalkException {
        try (Socket socket = new Socket()) {
            long connectStart = System.nanoTime();
            socket.connect(request.dns(), timeoutMillis());
            socket.setSoTimeout(timeoutMillis());
            SocketFlow flow = SocketFlow.tcp(socket.getLocalPort(), request.dns());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(queryWire.length);
            out.write(queryWire);
            out.flush();
            long sent = System.nanoTime();
            List<String> transcript = new ArrayList<>();
            transcript.add(";; Truncated, retrying in TCP mode.");
            transcript.addAll(queryTranscript(name, query, "TCP"));
            log.add(Protocol.DNS, Direction.SENT, "query " + name + " A over TCP (the UDP answer had TC=1)",
                    server, connectStart, sent, withLengthPrefix(queryWire), transcript, flow);

            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readUnsignedShort();
            long received = System.nanoTime();
            byte[] wire = in.readNBytes(length);
            if (wire.length != length) {
                throw new WalkException(WalkFailure.IO, "the DNS server closed the TCP connection after "
                        + wire.length + " of " + length + " bytes");
            }
            Message answer = parse(wire);
            if (answer == null) {
                throw new WalkException(WalkFailure.RESOLVE, "the DNS server's TCP answer is not a DNS message");
            }
            long decoded = System.nanoTime();
            log.add(Protocol.DNS, Direction.RECEIVED, answerSummary(answer, "TCP"), server, received, decoded,
                    withLengthPrefix(wire), answerTranscript(answer, wire.length, decoded - connectStart, "TCP"), flow);
            return answer;
        } catch (SocketTimeoutException e) {
            throw new WalkException(WalkFailure.TIMEOUT, "no DNS answer from " + server + " over TCP within "
                    + timeoutMillis() + " ms");
        } catch (IOException e) {
            throw new WalkException(WalkFailure.RESOLVE, "DNS over TCP to " + server + " failed: " + e.getMessage(), e);
        }
    }

    /** The fields of a DNS message as sent over TCP: the length prefix, then the message 2 bytes further on. */
    private static List<Field> withLengthPrefix(byte[] wire) {
        List<Field> fields = new ArrayList<>();
        fields.add(Field.of("Length", 0, TCP_LENGTH_PREFIX, wire.length + " (RFC 1035 §4.2.2)"));
        for (Field field : DnsFields.of(wire)) {
            fields.add(field.shifted(TCP_LENGTH_PREFIX));
        }
        return fields;
    }

    private static Message parse(byte[] wire) {
        try {
            return new Message(wire);
        } catch (IOException e) {
            return null;
        }
    }

    private List<String> queryTranscript(Name name, Message query, String transport) {
        List<String> lines = new ArrayList<>();
        InetSocketAddress dns = request.dns();
        lines.add("; <<>> walk <<>> @" + dns.getHostString() + " -p " + dns.getPort() + " " + name + " A"
                + ("TCP".equals(transport) ? " +tcp" : ""));
        lines.add(";; Sending:");
        lines.addAll(DigFormat.lines(query));
        lines.add("");
        lines.add(";; QUERY SIZE: " + query.toWire().length);
        return lines;
    }

    private List<String> answerTranscript(Message answer, int size, long elapsedNanos, String transport) {
        List<String> lines = new ArrayList<>();
        lines.add(";; Got answer:");
        lines.addAll(DigFormat.lines(answer));
        lines.add("");
        InetSocketAddress dns = request.dns();
        lines.add(String.format(";; Query time: %d msec", elapsedNanos / 1_000_000));
        lines.add(";; SERVER: " + dns.getHostString() + "#" + dns.getPort() + "(" + dns.getHostString() + ") ("
                + transport + ")");
        lines.add(";; MSG SIZE  rcvd: " + size);
        return lines;
    }

    private static String answerSummary(Message answer, String transport) {
        StringBuilder summary = new StringBuilder("answer ").append(Rcode.string(answer.getRcode()));
        if (answer.getHeader().getFlag(Flags.TC)) {
            summary.append(", TC=1 (truncated)");
        }
        if (answer.getHeader().getFlag(Flags.AA)) {
            summary.append(", authoritative");
        }
        List<Record> records = answer.getSection(Section.ANSWER);
        for (Record record : records.subList(0, Math.min(records.size(), RECORDS_IN_SUMMARY))) {
            summary.append(", ").append(Type.string(record.getType())).append(' ').append(record.rdataToString());
        }
        if (records.size() > RECORDS_IN_SUMMARY) {
            summary.append(" and ").append(records.size() - RECORDS_IN_SUMMARY).append(" more records");
        }
        return summary.append(" over ").append(transport).toString();
    }

    private int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, request.timeout().toMillis());
    }
}
