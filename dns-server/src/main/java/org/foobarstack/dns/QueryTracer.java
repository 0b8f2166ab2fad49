package org.foobarstack.dns;

import org.foobarstack.trace.DnsTraceOption;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import java.io.IOException;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.fields.DnsFields;
import org.xbill.DNS.Rcode;

/**
 * Records what the server saw of one query as two hops of a new trace: the query RECEIVED and
 * the answer SENT, each with the message's decoded fields (Wireshark's packet-details tree), the
 * transport and the client. A DNS message carries no trace header, so every query starts its own
 * trace ({@link TraceContext#fresh()}); the DoH endpoint records its own hops of the same
 * exchange under the HTTP request's trace.
 *
 * <p>Over TCP the message follows its two-byte length (RFC 1035 §4.2.2), so the fields are shifted
 * two bytes in and the length is a field of its own: the offsets are those of the bytes on the
 * connection. Nothing is built when the recorder is switched off.
 *
 * <h2>Cost, and the per-second budget</h2>
 * Decoding two messages into field trees costs tens of microseconds, several times what answering
 * the query costs, so tracing every query of a load test would cut the server's throughput to a
 * fraction. At most {@code perSecond} queries a second are traced (a rate-limiting sampler, as
 * tracing systems call it); the rest are answered and counted as usual, and counted once more in
 * {@code foobar_dns_untraced_total}. A learner's dig, or a browser loading a page, asks a handful
 * of queries a second and is always traced. The check itself is one atomic increment.
 */
final class QueryTracer {

    /** Names the two bytes before a DNS message on TCP. */
    private static final String LENGTH_PREFIX_RULE = "RFC 1035 §4.2.2";

    /** The budget's window: 2^30 ns, about 1.07 s, so that the window number is a shift, not a division. */
    static final int WINDOW_SHIFT = 30;
    /** ARCOUNT, the additional section's record count, sits at bytes 10-11 of the header (RFC 1035 §4.1.1). */
    private static final int ARCOUNT_OFFSET = 10;

    private final TraceRecorder recorder;
    private final int perSecond;
    private final Runnable untraced;
    private final LongSupplier nanoClock;
    private final AtomicLong window = new AtomicLong();
    private final AtomicInteger tracedInWindow = new AtomicInteger();

    /**
     * @param recorder  where hops go; {@code null} records nothing (the warm-up's scratch processor)
     * @param perSecond at most this many queries traced per window of about a second
     * @param untraced  called for each query over the budget (a counter)
     */
    QueryTracer(TraceRecorder recorder, int perSecond, Runnable untraced) {
        this(recorder, perSecond, untraced, System::nanoTime);
    }

    /** @param nanoClock the time the windows are cut from, in nanoseconds ({@link System#nanoTime()}) */
    QueryTracer(TraceRecorder recorder, int perSecond, Runnable untraced, LongSupplier nanoClock) {
        this.recorder = recorder;
        this.perSecond = perSecond;
        this.untraced = untraced;
        this.nanoClock = nanoClock;
    }

    /**
     * The trace a query carries in its EDNS trace option ({@link DnsTraceOption}), if any. Only a query
     * with an additional section (ARCOUNT &gt; 0, where an OPT record lives) is parsed for it, and only while
     * tracing is on, so plain queries cost one header read.
     */
    Optional<TraceContext> carried(byte[] query) {
        if (recorder == null || !recorder.enabled() || query.length < Header.LENGTH) {
            return Optional.empty();
        }
        int additional = ((query[ARCOUNT_OFFSET] & 0xFF) << 8) | (query[ARCOUNT_OFFSET + 1] & 0xFF);
        if (additional == 0) {
            return Optional.empty();
        }
        try {
            return DnsTraceOption.from(new Message(query));
        } catch (IOException | RuntimeException malformed) {
            return Optional.empty();
        }
    }

    /** True when this query is to be traced: tracing is on and the window's budget is not spent. */
    boolean enabled() {
        if (recorder == null || !recorder.enabled()) {
            return false;
        }
        long now = nanoClock.getAsLong() >> WINDOW_SHIFT;
        long current = window.get();
        if (now != current && window.compareAndSet(current, now)) {
            tracedInWindow.set(0);
        }
        // read first: once the budget is spent, queries over it do not all write to one shared counter
        if (tracedInWindow.get() < perSecond && tracedInWindow.incrementAndGet() <= perSecond) {
            return true;
        }
        untraced.run();
        return false;
    }

    /**
     * @param query   the query's bytes as received (without a TCP length prefix)
     * @param replies the reply messages, none when the query was dropped
     * @param started when the query was read
     * @param done    when the replies were made
     * @param carriedTraceId the trace the query named in its EDNS trace option, or null for a fresh one
     *                (call only after {@link #enabled()} said yes, or for a query that carries a trace)
     */
    void record(byte[] query, List<byte[]> replies, InetSocketAddress client, Transport transport,
                long started, long done, String carriedTraceId) {
        String traceId = carriedTraceId != null ? carriedTraceId : TraceContext.fresh().traceId();
        String peer = client.getAddress().getHostAddress() + ":" + client.getPort();
        List<Field> queryFields = DnsFields.of(query);
        recorder.record(recorder.hop(traceId, Protocol.DNS, Direction.RECEIVED)
                .summary(querySummary(queryFields, transport) + (replies.isEmpty() ? ", dropped" : ""))
                .peer(peer)
                .timing(started, started)
                .fields(framed(queryFields, query.length, transport, peer))
                .build());
        for (byte[] reply : replies) {
            recorder.record(recorder.hop(traceId, Protocol.DNS, Direction.SENT)
                    .summary(answerSummary(reply, transport))
                    .peer(peer)
                    .timing(started, done)
                    .fields(() -> framed(DnsFields.of(reply), reply.length, transport, peer))
                    .build());
        }
    }

    private static List<Field> framed(List<Field> message, int length, Transport transport, String peer) {
        List<Field> fields = new ArrayList<>(message.size() + 3);
        fields.add(Field.info("Transport", transport == Transport.UDP
                ? "UDP, one datagram (RFC 1035 §4.2.1)" : "TCP, length-prefixed (RFC 1035 §4.2.2, RFC 7766)"));
        fields.add(Field.info("Client", peer));
        if (transport == Transport.UDP) {
            fields.addAll(message);
        } else {
            fields.add(Field.of("Length", 0, TcpQueryHandler.LENGTH_PREFIX,
                    length + " bytes follow (" + LENGTH_PREFIX_RULE + ")"));
            for (Field field : message) {
                fields.add(field.shifted(TcpQueryHandler.LENGTH_PREFIX));
            }
        }
        return fields;
    }

    /** "query www.foobar.com. A over UDP", from the first question's field. */
    static String querySummary(List<Field> fields, Transport transport) {
        String question = "(no question)";
        for (Field field : fields) {
            if (field.name().equals("Queries") && !field.children().isEmpty()) {
                // the question's field is named "www.foobar.com.: type A, class IN"
                question = field.children().get(0).name().replace(": type ", " ").replaceFirst(", class IN$", "");
            }
        }
        return "query " + question + " over " + transport;
    }

    /** "answer NOERROR, aa, 1 answer over UDP", read from the reply's header (RFC 1035 §4.1.1). */
    static String answerSummary(byte[] reply, Transport transport) {
        int flags = ((reply[2] & 0xff) << 8) | (reply[3] & 0xff);
        int answers = ((reply[6] & 0xff) << 8) | (reply[7] & 0xff);
        StringBuilder s = new StringBuilder("answer ").append(Rcode.string(flags & DnsFields.RCODE));
        if ((flags & DnsFields.AA) != 0) {
            s.append(", aa");
        }
        if ((flags & DnsFields.TC) != 0) {
            s.append(", tc");
        }
        s.append(", ").append(answers).append(answers == 1 ? " answer" : " answers");
        return s.append(" over ").append(transport).toString();
    }
}
