package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.helpers.NOPLogger;
import org.foobarstack.trace.RateLimitedLog;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The cache must be invisible: for every question, in every shape it keeps, the bytes served from it
 * are the bytes the answering algorithm builds for that very query (its ID, its RD bit), before and
 * after a reload.
 */
class AnswerCacheTest {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final InetSocketAddress CLIENT = new InetSocketAddress(LOOPBACK, 40000);
    static final int[] IDS = {0, 1, 0x1234, 0xFFFF};
    static final int[] TYPES = {Type.A, Type.AAAA, Type.NS, Type.SOA, Type.MX, Type.TXT, Type.CNAME, Type.ANY,
        Type.DS, Type.HTTPS};

    /** How a query is asked: header flags and EDNS, everything the cache key holds besides the question. */
    record Shape(boolean rd, boolean cd, int ednsSize, boolean dnssecOk) {
        static final List<Shape> ALL = List.of(
                new Shape(true, false, 0, false), new Shape(false, false, 0, false), new Shape(true, true, 0, false),
                new Shape(true, false, 512, false), new Shape(false, false, 1232, false),
                new Shape(true, false, 4096, true), new Shape(true, true, 1232, true));
    }

    /** A processor over a catalog that the test swaps, as a reload does. */
    static QueryProcessor processor(AtomicReference<ZoneCatalog> zones) {
        return new QueryProcessor(zones::get, List.of(), new StatsCounters(), new QueryLog(NOPLogger.NOP_LOGGER),
                new RateLimitedLog(NOPLogger.NOP_LOGGER), new QueryTracer(null, 0, () -> { }));
    }

    static ZoneCatalog catalog(List<ZoneLoader.ZoneSource> sources) {
        ZoneLoader.Outcome outcome = new ZoneLoader(LOOPBACK, LOOPBACK).loadAll(sources);
        assertThat(outcome.refused()).isEmpty();
        return new ZoneCatalog(outcome.loaded());
    }

    static byte[] query(Name name, int type, int dclass, int id, Shape shape) {
        Message m = Message.newQuery(Record.newRecord(name, type, dclass));
        m.getHeader().setID(id);
        if (!shape.rd()) {
            m.getHeader().unsetFlag(Flags.RD);
        }
        if (shape.cd()) {
            m.getHeader().setFlag(Flags.CD);
        }
        if (shape.ednsSize() > 0) {
            m.addRecord(new OPTRecord(shape.ednsSize(), 0, 0, shape.dnssecOk() ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        }
        return m.toWire();
    }

    /**
     * Every owner name of the catalog's zones and its ancestors (empty non-terminals), the same names in
     * upper case, a name below each (missing, wildcard-matched or below a cut), and names outside.
     */
    static List<Name> names(ZoneCatalog catalog) throws Exception {
        Set<Name> owners = new LinkedHashSet<>();
        for (AuthoritativeZone zone : catalog.zones()) {
            for (Record r : zone.transferOrder()) {
                for (Name n = r.getName(); n.subdomain(zone.origin()); n = new Name(n, 1)) {
                    owners.add(n);
                    if (n.equals(zone.origin())) {
                        break;
                    }
                }
            }
        }
        List<Name> names = new ArrayList<>();
        for (Name owner : owners) {
            names.add(owner);
            names.add(Name.fromString(owner.toString().toUpperCase(java.util.Locale.ROOT)));
            names.add(Name.concatenate(Name.fromString("nope"), owner));
        }
        names.add(Name.fromString("example.org."));
        names.add(Name.fromString("www.example.org."));
        return names;
    }

    /**
     * Asks every question in every shape twice, through two processors on the same zones: {@code reference}
     * only ever runs the algorithm; {@code cached} answers from its cache, filled by the first query of each
     * key, whose ID and RD bit differ from most later ones. Returns how many replies came from the cache.
     */
    static int compareAll(ZoneCatalog catalog, QueryProcessor reference, QueryProcessor cached) throws Exception {
        int hits = 0;
        for (Name name : names(catalog)) {
            for (int type : TYPES) {
                for (Shape shape : Shape.ALL) {
                    for (int id : IDS) {
                        for (Transport transport : Transport.values()) {
                            hits += compare(reference, cached, query(name, type, DClass.IN, id, shape), transport);
                        }
                    }
                }
            }
        }
        // Class CH is refused (RFC 1035 §3.2.4 classes other than IN are not ours): cached like any answer.
        for (Shape shape : Shape.ALL) {
            hits += compare(reference, cached, query(Name.fromString("foobar.com."), Type.TXT, DClass.CH, 7, shape),
                    Transport.UDP);
        }
        return hits;
    }

    /** One query: the cache's reply, once it has one, must equal the algorithm's, byte for byte. */
    static int compare(QueryProcessor reference, QueryProcessor cached, byte[] query, Transport transport) {
        List<byte[]> expected = reference.process(query, CLIENT, transport);
        assertThat(expected).hasSize(1);
        if (roundRobin(expected.get(0))) {
            // records given in turn: the reply changes from one query to the next, so it is never kept
            cached.process(query, CLIENT, transport);
            assertThat(fromCache(cached, query, transport)).as("not kept: %s", describe(query)).isNull();
            return 0;
        }
        byte[] fromCache = fromCache(cached, query, transport);
        if (fromCache == null) {
            cached.process(query, CLIENT, transport);
            fromCache = fromCache(cached, query, transport);
            assertThat(fromCache).as("kept after its first answer: %s", describe(query)).isNotNull();
            assertThat(fromCache).as(describe(query)).isEqualTo(expected.get(0));
            return 0;
        }
        assertThat(fromCache).as(describe(query)).isEqualTo(expected.get(0));
        return 1;
    }

    /** Whether the reply's ANSWER holds an RRset of several records (same name, type and class). */
    static boolean roundRobin(byte[] reply) {
        try {
            java.util.Map<String, Integer> sizes = new java.util.HashMap<>();
            for (Record r : new Message(reply).getSection(Section.ANSWER)) {
                sizes.merge(r.getName() + " " + r.getType() + " " + r.getDClass(), 1, Integer::sum);
            }
            return sizes.values().stream().anyMatch(n -> n > 1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anRrsetOfSeveralRecordsIsGivenInTurnAndNeverCached() throws Exception {
        AtomicReference<ZoneCatalog> zones = new AtomicReference<>(
                catalog(ZoneLoader.directorySources(LabZone.directory())));
        QueryProcessor processor = processor(zones);
        byte[] ns = query(Name.fromString("foobar.com."), Type.NS, DClass.IN, 9, Shape.ALL.get(0));
        List<String> firsts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Message reply = new Message(processor.process(ns, CLIENT, Transport.UDP).get(0));
            assertThat(reply.getSection(Section.ANSWER)).hasSizeGreaterThan(1);
            firsts.add(reply.getSection(Section.ANSWER).get(0).rdataToString());
        }
        // BIND's rrset-order cyclic: each reply starts one record further
        assertThat(firsts.get(0)).isNotEqualTo(firsts.get(1));
        assertThat(new java.util.HashSet<>(firsts)).hasSizeGreaterThan(1);
        assertThat(fromCache(processor, ns, Transport.UDP)).isNull();
    }

    static byte[] fromCache(QueryProcessor processor, byte[] query, Transport transport) {
        ByteBuf reply = processor.replyFromCache(Unpooled.wrappedBuffer(query), CLIENT, transport,
                ByteBufAllocator.DEFAULT, 0);
        if (reply == null) {
            return null;
        }
        try {
            return ByteBufUtil.getBytes(reply);
        } finally {
            reply.release();
        }
    }

    static String describe(byte[] query) {
        try {
            Message m = new Message(query);
            return m.getQuestion() + " id " + m.getHeader().getID() + " flags " + m.getHeader().printFlags()
                    + " opt " + m.getOPT();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void cachedRepliesEqualTheAlgorithmsForEveryQuestionShapeAndIdBeforeAndAfterAReload() throws Exception {
        AtomicReference<ZoneCatalog> zones = new AtomicReference<>(
                catalog(ZoneLoader.directorySources(LabZone.directory())));
        QueryProcessor reference = processor(zones);
        QueryProcessor cached = processor(zones);

        assertThat(compareAll(zones.get(), reference, cached)).as("replies served from the cache").isPositive();

        // Reload: a new serial and www elsewhere. Nothing of the old version may come back.
        String text = Files.readString(LabZone.directory().resolve("foobar.com.zone"))
                .replace("2024010101", "2024010102").replace("www     IN A    127.0.0.1", "www     IN A    127.0.0.99");
        zones.set(catalog(List.of(new ZoneLoader.ZoneSource("reloaded", Name.fromString("foobar.com."), text))));
        byte[] www = query(Name.fromString("www.foobar.com."), Type.A, DClass.IN, 42, Shape.ALL.get(0));
        assertThat(fromCache(cached, www, Transport.UDP)).as("emptied by the reload").isNull();
        assertThat(compareAll(zones.get(), reference, cached)).isPositive();
        Message reply = new Message(fromCache(cached, www, Transport.UDP));
        assertThat(((ARecord) reply.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress())
                .isEqualTo("127.0.0.99");
    }

    @Test
    void theShippedZonesToo() throws Exception {
        for (boolean wwwAsCname : new boolean[] {false, true}) {
            AtomicReference<ZoneCatalog> zones = new AtomicReference<>(catalog(ZoneLoader.shippedSources(wwwAsCname)));
            assertThat(compareAll(zones.get(), processor(zones), processor(zones))).isPositive();
        }
    }

    @Test
    void queriesOfOtherShapesAreNeverAnsweredFromTheCache() throws Exception {
        AtomicReference<ZoneCatalog> zones = new AtomicReference<>(
                catalog(ZoneLoader.directorySources(LabZone.directory())));
        QueryProcessor processor = processor(zones);
        Name apex = Name.fromString("foobar.com.");
        List<byte[]> others = new ArrayList<>();
        // an EDNS option (here a cookie, RFC 7873): options may differ per query, and the trace option is one
        Message withOption = Message.newQuery(Record.newRecord(apex, Type.A, DClass.IN));
        withOption.addRecord(new OPTRecord(1232, 0, 0, 0,
                List.of(new org.xbill.DNS.CookieOption(new byte[8]))), Section.ADDITIONAL);
        others.add(withOption.toWire());
        // EDNS version 1: BADVERS (RFC 6891 §6.1.3) is an error reply, not an answer
        Message version1 = Message.newQuery(Record.newRecord(apex, Type.A, DClass.IN));
        version1.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
        others.add(version1.toWire());
        // a zone transfer (RFC 5936 §6: allowed or not depending on the client) and IXFR
        others.add(query(apex, Type.AXFR, DClass.IN, 1, Shape.ALL.get(0)));
        others.add(query(apex, Type.IXFR, DClass.IN, 1, Shape.ALL.get(0)));
        // NOTIFY: another opcode
        Message notify = Message.newQuery(Record.newRecord(apex, Type.SOA, DClass.IN));
        notify.getHeader().setOpcode(org.xbill.DNS.Opcode.NOTIFY);
        others.add(notify.toWire());
        // trailing bytes after the question
        byte[] plain = query(apex, Type.A, DClass.IN, 1, Shape.ALL.get(0));
        others.add(java.util.Arrays.copyOf(plain, plain.length + 3));
        for (byte[] other : others) {
            for (Transport transport : Transport.values()) {
                processor.process(other, CLIENT, transport);
                assertThat(fromCache(processor, other, transport)).as(describe(other)).isNull();
            }
        }
    }

    @Test
    void overSocketsARepeatedQueryIsAnsweredAgainCountedAndTracedAndAReloadIsSeen(@TempDir Path dir)
            throws IOException {
        TraceRecorder recorder = new TraceHub().newRecorder("dns", "dns-1");
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.copyTo(dir))
                .zoneCheckInterval(Duration.ZERO).traceRecorder(recorder).build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            for (Transport transport : Transport.values()) {
                for (int id : IDS) {
                    Message query = DnsClient.query("www.foobar.com", Type.A);
                    query.getHeader().setID(id);
                    Message reply = DnsClient.send(transport, server.udpAddress(), query);
                    assertThat(reply.getHeader().getID()).isEqualTo(id);
                    assertThat(reply.getSection(Section.ANSWER)).singleElement()
                            .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("127.0.0.1"));
                }
            }
            assertThat(server.stats().queries()).isEqualTo(2L * IDS.length);
            assertThat(recorder.hops()).as("two hops per query, cached or not").hasSize(4 * IDS.length);

            Path file = dir.resolve("foobar.com.zone");
            Files.writeString(file, Files.readString(file).replace("www     IN A    127.0.0.1",
                    "www     IN A    127.0.0.99"));
            server.reload();
            for (Transport transport : Transport.values()) {
                Message reply = DnsClient.send(transport, server.udpAddress(), DnsClient.query("www.foobar.com", Type.A));
                assertThat(reply.getSection(Section.ANSWER)).singleElement()
                        .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("127.0.0.99"));
            }
        }
    }
}
