package org.foobarstack.admin;

import org.foobarstack.trace.DnsTraceOption;
import org.foobarstack.trace.TraceContext;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Real probes for a topology supplier: "up" means the tier answered just now, not that its object exists.
 *
 * <ul>
 *   <li>{@link #tcp}: a TCP connection is accepted (the kernel's three-way handshake with a listening socket,
 *       RFC 9293 §3.5), then closed. Enough for the web, app and database tiers.</li>
 *   <li>{@link #dns}: one DNS query over UDP (RFC 1035 §4.2.1) gets a response with the same ID and QR set,
 *       whatever its reply code: a server that answers REFUSED is up.</li>
 * </ul>
 *
 * Both return false, never throw, when nothing answers within the timeout.
 */
public final class TierProbe {

    /** The UDP payload size the probe advertises in its OPT record. */
    private static final int PROBE_UDP_PAYLOAD = 1232;

    /** A UDP DNS message is at most 512 bytes without EDNS (RFC 1035 §2.3.4); room for a little more. */
    private static final int MAX_ANSWER_BYTES = 4096;

    private TierProbe() {
    }

    /** True when something accepts a TCP connection at {@code address} within {@code timeout}. */
    public static boolean tcp(InetSocketAddress address, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMillis(timeout));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * True when the DNS server at {@code address} answers a query for the SOA record of {@code zone}
     * ("foobar.com.") over UDP within {@code timeout}.
     */
    public static boolean dns(InetSocketAddress address, String zone, Duration timeout) {
        Message query;
        try {
            query = Message.newQuery(Record.newRecord(Name.fromString(zone, Name.root), Type.SOA, DClass.IN));
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + zone, e);
        }
        // A health probe is not a request anyone wants to read about: it names a trace whose "sampled" flag is
        // off (W3C Trace Context §3.2.2.5), which tells our DNS server not to record it.
        DnsTraceOption.addTo(query, TraceContext.fresh().unsampled(), PROBE_UDP_PAYLOAD);
        byte[] wire = query.toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(timeoutMillis(timeout));
            socket.connect(address);
            socket.send(new DatagramPacket(wire, wire.length));
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buffer = new byte[MAX_ANSWER_BYTES];
            while (System.nanoTime() < deadline) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                try {
                    Message answer = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                    if (answer.getHeader().getID() == query.getHeader().getID()
                            && answer.getHeader().getFlag(Flags.QR)) {
                        return true;
                    }
                } catch (IOException notDns) {
                    // a stray datagram that is not a DNS message: keep waiting for the answer
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static int timeoutMillis(Duration timeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }
}
