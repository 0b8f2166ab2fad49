package org.foobarstack.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.TraceContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * From query bytes to reply bytes: everything about a DNS message that is not the answering
 * algorithm itself. The transport handlers call {@link #process} and send what it returns.
 *
 * <p>Steps, in the order {@link #handle} takes them, after a step 0 that may skip most of them:
 * <ol start="0">
 *   <li>the transport handlers first try {@link #replyFromCache}: a question asked before, in the
 *       same shape, gets the reply built then, with its own ID and RD bit ({@link AnswerCache}), and
 *       goes on to steps 9 and 10; every reply {@link #process} builds is offered to the cache;</li>
 *   <li>fewer than 12 bytes, or QR set: drop, there is nothing safe to answer; an opcode other than QUERY is
 *       answered from the 12-byte header alone, nothing after it read: REFUSED for NOTIFY (we are no
 *       secondary), NOTIMP for UPDATE and every other opcode;</li>
 *   <li>parse the message with dnsjava; if that fails, FORMERR with only the header (RFC 1035 §4.1);</li>
 *   <li>QDCOUNT other than 1: FORMERR (RFC 9619 §4);</li>
 *   <li>EDNS (RFC 6891): more than one OPT is FORMERR, a version above 0 gets BADVERS;</li>
 *   <li>class other than IN: REFUSED;</li>
 *   <li>AXFR and IXFR go to {@link ZoneTransfer}; anything else to {@link AuthoritativeAnswerer};</li>
 *   <li>build the reply: QR set, ID, opcode and RD copied, RA never set, the question echoed
 *       byte for byte as asked, an OPT if the query had one;</li>
 *   <li>fit it into the size the transport allows, truncating with TC if needed (RFC 2181 §9);</li>
 *   <li>count it and write one query log line;</li>
 *   <li>record the query and the reply as two hops of a new trace ({@link QueryTracer}).</li>
 * </ol>
 * Nothing thrown while answering escapes: it becomes SERVFAIL and one rate-limited log line.
 */
final class QueryProcessor {

    /** RFC 1035 §4.2.1: the UDP limit for a client that did not send EDNS. */
    static final int PLAIN_UDP_LIMIT = 512;
    /**
     * The UDP payload size we advertise and accept at most: 1232 bytes fits the IPv6 minimum MTU
     * without fragmentation (RFC 6891 §6.2.5 leaves the value to the implementation; DNS Flag Day
     * 2020 settled on 1232).
     */
    static final int EDNS_UDP_PAYLOAD = 1232;
    /** RFC 1035 §4.2.2: the two-byte length prefix caps a TCP message at 65535 bytes. */
    static final int TCP_LIMIT = 65535;

    private final Supplier<ZoneCatalog> catalog;
    private final List<Cidr> transferAllowList;
    private final AuthoritativeAnswerer answerer = new AuthoritativeAnswerer();
    private final StatsCounters stats;
    private final QueryLog queryLog;
    private final RateLimitedLog problemLog;
    private final QueryTracer tracer;
    private final AnswerCache cache = new AnswerCache();

    QueryProcessor(Supplier<ZoneCatalog> catalog, List<Cidr> transferAllowList, StatsCounters stats,
                   QueryLog queryLog, RateLimitedLog problemLog, QueryTracer tracer) {
        this.tracer = tracer;
        this.catalog = catalog;
        this.transferAllowList = List.copyOf(transferAllowList);
        this.stats = stats;
        this.queryLog = queryLog;
        this.problemLog = problemLog;
    }

    /**
     * Answers one query. Returns the reply messages in order: none (drop), one, or for a zone
     * transfer over TCP several.
     */
    List<byte[]> process(byte[] query, InetSocketAddress client, Transport transport) {
        long started = System.nanoTime();
        // One version of the zones for the whole query, the same one the cache files its reply under.
        ZoneCatalog zones = catalog.get();
        List<byte[]> replies;
        try {
            RoundRobin roundRobin = new RoundRobin();
            replies = handle(query, zones, client, transport, started, roundRobin);
            if (!roundRobin.rotated) {
                remember(query, replies, transport, zones);
            }
        } catch (RuntimeException e) {
            problem(MessageProblem.INTERNAL_ERROR, client, e.toString());
            if (query.length < Header.LENGTH) {
                stats.dropped();
                replies = List.of();
            } else {
                replies = List.of(headerOnly(query, Rcode.SERVFAIL, transport, -1));
            }
        }
        long done = System.nanoTime();
        if (!replies.isEmpty()) {
            stats.answerTook(done - started);
        }
        // Step 10: the query and its answer as two hops of a trace (nothing is built when tracing is off). A
        // query that names its trace in an EDNS option (DnsTraceOption: walk, the DoH endpoint) is always
        // traced, under that trace, so that its hops join the request that caused the lookup; one whose trace
        // says "not sampled" (the admin server's health probe) never is.
        Optional<TraceContext> carried = tracer.carried(query);
        if (carried.map(TraceContext::sampled).orElseGet(tracer::enabled)) {
            try {
                tracer.record(query, replies, client, transport, started, done,
                        carried.map(TraceContext::traceId).orElse(null));
            } catch (RuntimeException e) {
                // The reply is made and owed to the client: a trace that cannot be described is lost, not the answer.
                problem(MessageProblem.INTERNAL_ERROR, client, "trace not recorded: " + e);
            }
        }
        return replies;
    }

    /**
     * Step 0: the reply to a query asked before in the same shape (see {@link AnswerCache}), in a buffer
     * from {@code alloc} with {@code headroom} bytes left free in front (TCP's length prefix), or null when
     * the query must go through {@link #process}. A hit is counted and logged like any reply (step 9).
     * Step 10 for a hit: a traced query is recorded from the cache, with the bytes it is sent. It cannot
     * carry a trace of its own: the trace option is an EDNS option, and a query with options is never
     * answered from the cache.
     */
    ByteBuf replyFromCache(ByteBuf query, InetSocketAddress client, Transport transport, ByteBufAllocator alloc,
                           int headroom) {
        int end = QueryShape.end(query);
        if (end < 0) {
            return null;
        }
        long started = System.nanoTime();
        AnswerCache.Entry hit = cache.find(query, end, transport, catalog.get());
        if (hit == null) {
            return null;
        }
        ByteBuf out = alloc.ioBuffer(headroom + hit.reply().length);
        out.writerIndex(headroom);
        hit.writeTo(out, query);
        stats.answered(transport, hit.qtype(), hit.rcode(), hit.tc());
        if (queryLog.enabled()) {
            logHit(ByteBufUtil.getBytes(query), hit, client, transport, started);
        }
        long done = System.nanoTime();
        stats.answerTook(done - started);
        if (tracer.enabled()) {
            tracer.record(ByteBufUtil.getBytes(query), List.of(ByteBufUtil.getBytes(out, headroom, hit.reply().length)),
                    client, transport, started, done, null);
        }
        return out;
    }

    /** The query log line of a cache hit: the query is parsed only for it (the line costs more than the parse). */
    private void logHit(byte[] query, AnswerCache.Entry hit, InetSocketAddress client, Transport transport,
                        long started) {
        Message parsed;
        try {
            parsed = new Message(query);
        } catch (IOException e) {
            throw new IllegalStateException("a query of the cached shape did not parse", e);
        }
        queryLog.log(client, transport, parsed.getHeader(), parsed.getOPT(), parsed.getQuestion(), hit.rcode(),
                hit.aa(), hit.tc(), hit.answers(), System.nanoTime() - started);
    }

    /**
     * Offers a reply to the cache. Only a single reply to a query of the plain shape, with one of the
     * rcodes that the question alone decides (RFC 1034 §4.3.2: an answer, NXDOMAIN, or REFUSED for a
     * name outside our zones) is kept; its counters are read back from its header (RFC 1035 §4.1.1).
     */
    private void remember(byte[] query, List<byte[]> replies, Transport transport, ZoneCatalog zones) {
        if (replies.size() != 1) {
            return;
        }
        ByteBuf q = Unpooled.wrappedBuffer(query);
        int end = QueryShape.end(q);
        byte[] reply = replies.get(0);
        if (end < 0 || reply.length < Header.LENGTH) {
            return;
        }
        // The rcodes kept all fit the header's four bits: the OPT's extended rcode bits are zero.
        Header h = readHeader(reply);
        int rcode = h.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN && rcode != Rcode.REFUSED) {
            return;
        }
        cache.store(new AnswerCache.Entry(transport, QueryShape.key(q, end), QueryShape.hash(q, end), reply,
                QueryShape.qtype(q, end), rcode, h.getFlag(Flags.AA), h.getFlag(Flags.TC),
                h.getCount(Section.ANSWER)), zones);
    }

    private List<byte[]> handle(byte[] wire, ZoneCatalog zones, InetSocketAddress client, Transport transport,
                                long started, RoundRobin roundRobin) {
        // Step 1: is there a header to answer?
        if (wire.length < Header.LENGTH) {
            return drop(MessageProblem.SHORT_HEADER, client, wire.length + " bytes");
        }
        Header header = readHeader(wire);
        if (header.getFlag(Flags.QR)) {
            return drop(MessageProblem.RESPONSE_NOT_QUERY, client, "id " + header.getID());
        }
        // Only QUERY is answered beyond its header. Every other opcode is decided by the header alone, before the
        // rest is parsed: a new opcode need not lay out its body as QUERY does (RFC 8906 §3.1.4), so a body we
        // cannot read must not turn NOTIMP into FORMERR, and the decision does not depend on the question.
        int opcode = header.getOpcode();
        if (opcode != Opcode.QUERY) {
            MessageProblem refusal = switch (opcode) {
                case Opcode.NOTIFY -> MessageProblem.NOTIFY_NOT_SECONDARY;
                case Opcode.UPDATE -> MessageProblem.UPDATE_NOT_IMPLEMENTED;
                default -> MessageProblem.UNKNOWN_OPCODE;
            };
            problem(refusal, client, "opcode " + opcode + " (" + Opcode.string(opcode) + "), id " + header.getID());
            return List.of(headerOnly(wire, refusal.reply().rcode(), transport, -1));
        }

        // Step 2: the rest of the message.
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException | RuntimeException e) {
            problem(MessageProblem.MALFORMED, client, e.getMessage());
            return List.of(headerOnly(wire, Rcode.FORMERR, transport, -1));
        }
        // dnsjava forgives a message that ends early when its TC bit is set, as a truncated reply may; a query has
        // no such excuse: every record its header counts must be there (RFC 1035 §4.1.1).
        for (int section = Section.QUESTION; section <= Section.ADDITIONAL; section++) {
            if (query.getSection(section).size() != header.getCount(section)) {
                problem(MessageProblem.MALFORMED, client, "the header counts " + header.getCount(section) + " in "
                        + Section.string(section) + ", the message holds " + query.getSection(section).size());
                return List.of(headerOnly(wire, Rcode.FORMERR, transport, -1));
            }
        }

        // Step 3: the question count.
        if (header.getCount(Section.QUESTION) != 1) {
            problem(MessageProblem.QDCOUNT_NOT_ONE, client, "QDCOUNT " + header.getCount(Section.QUESTION));
            return List.of(headerOnly(wire, Rcode.FORMERR, transport, -1));
        }
        Record question = query.getQuestion();

        // Step 4: EDNS.
        OPTRecord queryOpt = null;
        for (Record r : query.getSection(Section.ADDITIONAL)) {
            if (r.getType() == Type.OPT) {
                if (queryOpt != null) {
                    problem(MessageProblem.MULTIPLE_OPT, client, "");
                    return List.of(headerOnly(wire, Rcode.FORMERR, transport, question.getType()));
                }
                queryOpt = (OPTRecord) r;
            }
        }
        if (queryOpt != null && queryOpt.getVersion() > 0) {
            // RFC 6891 §6.1.3: BADVERS, with an OPT of the highest version we do implement (0).
            problem(MessageProblem.BAD_EDNS_VERSION, client, "version " + queryOpt.getVersion());
            Message reply = replyTo(query, queryOpt, Rcode.BADVERS, false, null);
            return finish(reply, client, transport, header, queryOpt, question, started);
        }

        // Step 5: class IN only.
        if (question.getDClass() != DClass.IN) {
            Message reply = replyTo(query, queryOpt, Rcode.REFUSED, false,
                    new ExtendedErrorCodeOption(ExtendedErrorCodeOption.NOT_SUPPORTED));
            return finish(reply, client, transport, header, queryOpt, question, started);
        }

        // Step 6: transfers, then ordinary questions.
        int qtype = question.getType();
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            return transfer(query, zones, queryOpt, question, client, transport, header, started);
        }
        Answer answer = answerer.answer(zones, question.getName(), qtype);
        EDNSOption ede = answer.kind() == Answer.Kind.REFUSED
                ? new ExtendedErrorCodeOption(ExtendedErrorCodeOption.NOT_AUTHORITATIVE) : null;

        // Steps 7 and 8: the reply, fitted to the transport.
        int limit = sizeLimit(transport, queryOpt);
        Message reply = replyTo(query, queryOpt, answer.rcode(), answer.authoritative(), ede);
        addSections(reply, answer, true);
        byte[] bytes = reply.toWire();
        if (bytes.length > limit) {
            reply = truncate(query, queryOpt, answer, limit);
            bytes = reply.toWire();
        }
        roundRobin.rotated = reply.getSectionRRsets(Section.ANSWER).stream().anyMatch(set -> set.size() > 1);
        // Step 9.
        account(reply, client, transport, header, queryOpt, question, started);
        return List.of(bytes);
    }

    /**
     * RFC 2181 §9 and RFC 9471 §3: first leave out ADDITIONAL (TC only if glue of a referral had
     * to go); if ANSWER and AUTHORITY still do not fit, send the question alone with TC so the
     * client asks again over TCP (RFC 7766 §5).
     */
    private Message truncate(Message query, OPTRecord queryOpt, Answer answer, int limit) {
        Message lean = replyTo(query, queryOpt, answer.rcode(), answer.authoritative(), null);
        addSections(lean, answer, false);
        if (answer.kind() == Answer.Kind.REFERRAL && !answer.additional().isEmpty()) {
            lean.getHeader().setFlag(Flags.TC);
        }
        if (lean.toWire().length <= limit) {
            return lean;
        }
        Message bare = replyTo(query, queryOpt, answer.rcode(), answer.authoritative(), null);
        bare.getHeader().setFlag(Flags.TC);
        return bare;
    }

    /** RFC 6891 §6.2.5: the smaller of the client's advertised size and ours, never below 512. */
    static int sizeLimit(Transport transport, OPTRecord queryOpt) {
        if (transport == Transport.TCP) {
            return TCP_LIMIT;
        }
        if (queryOpt == null) {
            return PLAIN_UDP_LIMIT;
        }
        return Math.max(PLAIN_UDP_LIMIT, Math.min(queryOpt.getPayloadSize(), EDNS_UDP_PAYLOAD));
    }

    private List<byte[]> transfer(Message query, ZoneCatalog zones, OPTRecord queryOpt, Record question,
                                  InetSocketAddress client, Transport transport, Header header, long started) {
        boolean ixfr = question.getType() == Type.IXFR;
        AuthoritativeZone zone = zones.zoneFor(question.getName());
        MessageProblem refusal = null;
        if (zone == null) {
            refusal = MessageProblem.NOT_OUR_ZONE;
        } else if (!ixfr && transport == Transport.UDP) {
            refusal = MessageProblem.TRANSFER_OVER_UDP;
        } else if (!allowedToTransfer(client)) {
            refusal = MessageProblem.TRANSFER_NOT_ALLOWED;
        } else if (!zone.origin().equals(question.getName())) {
            refusal = MessageProblem.TRANSFER_NOT_APEX;
        }
        if (refusal != null) {
            EDNSOption ede = switch (refusal) {
                case NOT_OUR_ZONE -> new ExtendedErrorCodeOption(ExtendedErrorCodeOption.NOT_AUTHORITATIVE);
                case TRANSFER_NOT_ALLOWED -> new ExtendedErrorCodeOption(ExtendedErrorCodeOption.PROHIBITED);
                default -> null;
            };
            Message reply = replyTo(query, queryOpt, refusal.reply().rcode(), false, ede);
            return finish(reply, client, transport, header, queryOpt, question, started);
        }
        if (ixfr && transport == Transport.UDP) {
            // RFC 1995 §2 and §4: over UDP, a reply that does not carry the transfer holds just
            // the current SOA, which tells the client to come back over TCP.
            Message reply = replyTo(query, queryOpt, Rcode.NOERROR, true, null);
            reply.addRecord(zone.soa(), Section.ANSWER);
            return finish(reply, client, transport, header, queryOpt, question, started);
        }
        List<Message> messages = ZoneTransfer.messages(zone, () -> replyTo(query, queryOpt, Rcode.NOERROR, true, null));
        List<byte[]> wires = new ArrayList<>(messages.size());
        int records = 0;
        for (Message m : messages) {
            wires.add(m.toWire());
            records += m.getHeader().getCount(Section.ANSWER);
        }
        stats.answered(transport, question.getType(), Rcode.NOERROR, false);
        if (queryLog.enabled()) {
            queryLog.log(client, transport, header, queryOpt, question, Rcode.NOERROR, true, false, records,
                    System.nanoTime() - started);
        }
        return wires;
    }

    private boolean allowedToTransfer(InetSocketAddress client) {
        for (Cidr cidr : transferAllowList) {
            if (cidr.contains(client.getAddress())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Step 7: a reply skeleton. QR set; ID, opcode and RD copied (RFC 1035 §4.1.1); RA never
     * set, we offer no recursion; the question is the query's own record, so its name goes back
     * with the case the client used. With EDNS, an OPT advertising our size,
     * the DO bit copied (RFC 3225 §3) and the extended rcode bits (RFC 6891 §6.1.3).
     */
    private static Message replyTo(Message query, OPTRecord queryOpt, int rcode, boolean aa, EDNSOption ede) {
        Header q = query.getHeader();
        Message reply = new Message(q.getID());
        Header h = reply.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(q.getOpcode());
        if (q.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        // CD stays clear: RFC 4035 §3.1.6 asks a security-aware server to copy it, and this server
        // serves no DNSSEC (NSD, likewise not validating here, leaves it clear too).
        if (aa) {
            h.setFlag(Flags.AA);
        }
        h.setRcode(rcode & 0xF);
        reply.addRecord(query.getQuestion(), Section.QUESTION);
        if (queryOpt != null) {
            int flags = queryOpt.getFlags() & ExtendedFlags.DO;
            reply.addRecord(ede == null
                    ? new OPTRecord(EDNS_UDP_PAYLOAD, rcode >>> 4, 0, flags)
                    : new OPTRecord(EDNS_UDP_PAYLOAD, rcode >>> 4, 0, flags, ede), Section.ADDITIONAL);
        }
        return reply;
    }

    /**
     * Whether a reply's ANSWER holds an RRset of several records, which are given in turn (below): such a reply
     * changes from one query to the next, so it is not kept in the cache.
     */
    private static final class RoundRobin {
        boolean rotated;
    }

    /**
     * The sections, in zone file order but for the ANSWER's RRsets of several records, whose records are given
     * in turn, starting one further at each reply (BIND's default {@code rrset-order cyclic}): the order has no
     * meaning (RFC 2181 §5), but clients that take the first address then spread over all of them, which is
     * DNS round robin, and how two balancers' addresses for www share the clients (active-active).
     */
    private static void addSections(Message reply, Answer answer, boolean withAdditional) {
        for (RRset set : answer.answer()) {
            for (Record r : set.rrs(set.size() > 1)) {
                reply.addRecord(r, Section.ANSWER);
            }
        }
        for (RRset set : answer.authority()) {
            for (Record r : set.rrs(false)) {
                reply.addRecord(r, Section.AUTHORITY);
            }
        }
        if (withAdditional) {
            for (RRset set : answer.additional()) {
                for (Record r : set.rrs(false)) {
                    reply.addRecord(r, Section.ADDITIONAL);
                }
            }
        }
    }

    private List<byte[]> finish(Message reply, InetSocketAddress client, Transport transport, Header header,
                                OPTRecord queryOpt, Record question, long started) {
        byte[] bytes = reply.toWire();
        account(reply, client, transport, header, queryOpt, question, started);
        return List.of(bytes);
    }

    private void account(Message reply, InetSocketAddress client, Transport transport, Header header,
                         OPTRecord queryOpt, Record question, long started) {
        Header h = reply.getHeader();
        int rcode = reply.getRcode();
        boolean tc = h.getFlag(Flags.TC);
        stats.answered(transport, question.getType(), rcode, tc);
        if (queryLog.enabled()) {
            queryLog.log(client, transport, header, queryOpt, question, rcode, h.getFlag(Flags.AA), tc,
                    h.getCount(Section.ANSWER), System.nanoTime() - started);
        }
    }

    /**
     * A reply made from the query's header alone, for messages we could not (or would not)
     * parse further: same ID and opcode, QR set, all four counts 0, no sections. Used for FORMERR,
     * SERVFAIL and the answers to opcodes other than QUERY, where echoing a question we may not
     * understand could be wrong.
     *
     * <p>RD is copied for QUERY only (RFC 1035 §4.1.1). Recursion desired is a request about a
     * query; for any other opcode it means nothing, and a reply that echoes it would claim a meaning
     * that is not there. So a NOTIMP or REFUSED for another opcode has every flag but QR clear (AA,
     * TC, RD, RA, Z, AD, CD), the shape BIND's system tests and ISC's EDNS compliance report
     * (genreport) expect of NOTIMP. (NSD copies RD whatever the opcode.)
     */
    private byte[] headerOnly(byte[] query, int rcode, Transport transport, int qtype) {
        Header q = readHeader(query);
        Header h = new Header(q.getID());
        h.setFlag(Flags.QR);
        h.setOpcode(q.getOpcode());
        if (q.getOpcode() == Opcode.QUERY && q.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        h.setRcode(rcode);
        stats.answered(transport, qtype, rcode, false);
        return h.toWire();
    }

    private static Header readHeader(byte[] wire) {
        try {
            return new Header(wire);
        } catch (IOException e) {
            throw new IllegalStateException("a 12-byte header could not be read", e);
        }
    }

    private List<byte[]> drop(MessageProblem problem, InetSocketAddress client, String detail) {
        stats.dropped();
        problem(problem, client, detail);
        return List.of();
    }

    private void problem(MessageProblem problem, InetSocketAddress client, String detail) {
        if (problem.isBadInput()) {
            problemLog.warnOfKind(problem.name(), "from {}#{}: {}{}", client.getAddress().getHostAddress(),
                    client.getPort(), problem, detail == null || detail.isEmpty() ? "" : ": " + detail);
        }
    }
}
