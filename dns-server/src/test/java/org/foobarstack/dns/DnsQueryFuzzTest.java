package org.foobarstack.dns;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.fields.DnsFields;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the DNS server's path from query bytes to reply bytes, as both transport handlers take it: first
 * {@link QueryProcessor#replyFromCache}, then {@link QueryProcessor#process}; over UDP and over TCP; on the
 * laboratory zone; with the query log, the problem log and tracing all on, so that the code that describes a
 * query (and may meet bytes nobody meant to send) runs for every input.
 *
 * <p>For any bytes:
 * <ul>
 *   <li>nothing is thrown;</li>
 *   <li>no reply exactly when the message has no header (fewer than 12 bytes) or is a response (QR set);
 *       otherwise one reply;</li>
 *   <li>the reply has the query's ID and opcode, QR set, RD copied for QUERY; it parses with dnsjava; it fits
 *       the transport (512 bytes over UDP without EDNS, the advertised size within 512..1232 with it, 65,535 over
 *       TCP); its rcode is never SERVFAIL, which this server gives only when answering itself failed;</li>
 *   <li>a reply from the cache, for this query or the same one with another ID, is byte for byte what the
 *       answering algorithm makes for it.</li>
 * </ul>
 */
class DnsQueryFuzzTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    private static final ZoneCatalog ZONES = new ZoneCatalog(
            new ZoneLoader(InetAddress.getLoopbackAddress(), InetAddress.getLoopbackAddress())
                    .loadAll(ZoneLoader.directorySources(LabZone.directory())).loaded());

    /** Answers every input; its cache fills over the run, as a server's does. */
    private static final QueryProcessor SERVER = processor(true);
    /** Never answers from its cache: what the algorithm makes. */
    private static final QueryProcessor REFERENCE = processor(false);

    private static QueryProcessor processor(boolean logged) {
        org.slf4j.Logger log = logged ? new EnabledDiscardingLogger() : org.slf4j.helpers.NOPLogger.NOP_LOGGER;
        TraceRecorder recorder = logged ? new TraceRecorder("dns", "dns-fuzz") : null;
        return new QueryProcessor(() -> ZONES, List.of(), new StatsCounters(), new QueryLog(log),
                new RateLimitedLog(log), new QueryTracer(recorder, Integer.MAX_VALUE, () -> { }));
    }

    @FuzzTest(maxDuration = "5m")
    void queryToAnswer(byte[] query) {
        for (Transport transport : Transport.values()) {
            byte[] cached = fromCache(query, transport);
            if (cached != null) {
                checkCached(query, cached, transport);
                continue;
            }
            // the traced query is described field by field: that must never throw, whatever the bytes
            DnsFields.of(query);
            List<byte[]> replies = SERVER.process(query, CLIENT, transport);
            boolean dropped = query.length < Header.LENGTH || (query[2] & 0x80) != 0;
            if (dropped != replies.isEmpty() || replies.size() > 1) {
                throw new AssertionError(replies.size() + " replies over " + transport + " to " + hex(query));
            }
            if (!replies.isEmpty()) {
                checkReply(query, replies.get(0), transport);
            }
            // now perhaps kept: asked again, and with another ID, the cache must agree with the algorithm
            byte[] again = fromCache(query, transport);
            if (again != null) {
                checkCached(query, again, transport);
                byte[] otherId = query.clone();
                otherId[0] ^= 0x5A;
                byte[] other = fromCache(otherId, transport);
                if (other != null) {
                    checkCached(otherId, other, transport);
                }
            }
        }
    }

    private static byte[] fromCache(byte[] query, Transport transport) {
        ByteBuf in = Unpooled.wrappedBuffer(query);
        ByteBuf reply = SERVER.replyFromCache(in, CLIENT, transport, ByteBufAllocator.DEFAULT, 0);
        if (in.readerIndex() != 0) {
            throw new AssertionError("replyFromCache moved the query's reader index");
        }
        if (reply == null) {
            return null;
        }
        try {
            return ByteBufUtil.getBytes(reply);
        } finally {
            reply.release();
        }
    }

    private static void checkCached(byte[] query, byte[] cached, Transport transport) {
        List<byte[]> fresh = REFERENCE.process(query, CLIENT, transport);
        if (fresh.size() != 1 || !Arrays.equals(fresh.get(0), cached)) {
            throw new AssertionError("from the cache over " + transport + ": " + hex(cached) + "\nthe algorithm: "
                    + (fresh.isEmpty() ? "no reply" : hex(fresh.get(0))) + "\nquery: " + hex(query));
        }
        checkReply(query, cached, transport);
    }

    private static void checkReply(byte[] query, byte[] reply, Transport transport) {
        if (reply.length < Header.LENGTH) {
            throw new AssertionError("a reply of " + reply.length + " bytes");
        }
        Message parsed;
        try {
            parsed = new Message(reply);
        } catch (IOException e) {
            throw new AssertionError("dnsjava cannot read the reply " + hex(reply) + " to " + hex(query), e);
        }
        Header asked;
        try {
            asked = new Header(Arrays.copyOf(query, Header.LENGTH));
        } catch (IOException e) {
            throw new IllegalStateException("12 bytes are always a header", e);
        }
        Header h = parsed.getHeader();
        if (h.getID() != asked.getID() || !h.getFlag(Flags.QR) || h.getOpcode() != asked.getOpcode()) {
            throw new AssertionError("reply header " + h + " to query header " + asked);
        }
        if (asked.getOpcode() == 0 && h.getFlag(Flags.RD) != asked.getFlag(Flags.RD)) {
            throw new AssertionError("RD not copied: " + h + " to " + asked);
        }
        if (parsed.getRcode() == Rcode.SERVFAIL) {
            throw new AssertionError("SERVFAIL, answering failed, for " + hex(query));
        }
        int limit = QueryProcessor.TCP_LIMIT;
        if (transport == Transport.UDP) {
            limit = QueryProcessor.PLAIN_UDP_LIMIT;
            try {
                OPTRecord opt = new Message(query).getOPT();
                limit = QueryProcessor.sizeLimit(transport, opt);
            } catch (IOException | RuntimeException unreadable) {
                // a query dnsjava cannot read gets a header-only reply, far below any limit
            }
        }
        if (reply.length > limit) {
            throw new AssertionError(reply.length + " bytes over " + transport + ", limit " + limit);
        }
    }

    private static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }

    /**
     * A logger that says every level is on and formats every message, then drops it: the query log and the
     * problem log then build their lines (and call toString on whatever a query holds) for every input, without
     * filling the test's output.
     */
    private static final class EnabledDiscardingLogger extends LegacyAbstractLogger {
        EnabledDiscardingLogger() {
            this.name = "dns-fuzz";
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern,
                                                   Object[] arguments, Throwable throwable) {
            MessageFormatter.basicArrayFormat(messagePattern, arguments);
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
