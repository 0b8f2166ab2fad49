package org.foobarstack.dns;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Replies already made, kept as bytes, for questions that come again. A load test, or a page that
 * many browsers load, asks the same few questions over and over; building each reply again through
 * dnsjava (parse, answer, assemble, compress) costs more than the two system calls that carry it.
 *
 * <p><b>When two queries get the same reply.</b> {@link QueryProcessor} builds a reply from the
 * question (name bytes as asked, type, class), the query's header flags and its OPT record (present
 * or not, UDP size, DO bit, RFC 6891 §6.1.2), the transport's size limit, and the zones. Only the ID
 * (RFC 1035 §4.1.1) and the RD bit are copied from the query into the reply as they are. So the key
 * of an entry is the transport and the query's bytes after the ID, with RD cleared; a hit is the
 * stored reply with the asker's ID and RD written over the stored ones. The question name is part
 * of the key byte for byte, so {@code WwW.FooBar.CoM} has its own entry and gets its own case back.
 *
 * <p><b>What is kept.</b> Only queries of the plain shape {@link QueryShape} accepts (one question,
 * at most one OPT without options, nothing else), and only replies with NOERROR, NXDOMAIN or
 * REFUSED: the outcomes of RFC 1034 §4.3.2 that depend on nothing but the key. Zone transfers (they
 * depend on who asks, RFC 5936 §6), errors and queries carrying EDNS options (a trace option names a
 * trace of its own) always take the full path.
 *
 * <p><b>Zone versions.</b> The table belongs to one {@link ZoneCatalog}: a reload swaps the catalog,
 * the first query that sees the new one swaps in an empty table, and a reply built from the old
 * catalog is never stored in the new table.
 *
 * <p><b>Size and threads.</b> A fixed number of slots, so made-up names (a "random subdomain" flood)
 * replace entries instead of growing memory. Entries are immutable and published through an
 * {@link AtomicReferenceArray}, so every event-loop thread reads without a lock; two threads that
 * miss at once both build the reply, and the later store wins, with the same bytes.
 */
final class AnswerCache {

    /** Slots in the table (a power of two): far more than the questions a zone this size is asked. */
    static final int SLOTS = 4096;
    /** Slots looked at from the key's home slot before giving up (a short linear probe). */
    static final int PROBE = 4;
    /** Replies up to the largest UDP reply we send (RFC 6891 §6.2.5, {@link QueryProcessor#EDNS_UDP_PAYLOAD}). */
    static final int MAX_REPLY = QueryProcessor.EDNS_UDP_PAYLOAD;
    /** Byte 2 of the header: QR, opcode, AA, TC, RD; RD is its lowest bit (RFC 1035 §4.1.1). */
    static final int FLAGS_BYTE = 2;
    static final int RD = 0x01;

    /**
     * One stored reply, and what counting a hit needs without parsing anything again.
     *
     * @param transport the transport it was asked over (the size limit differs, RFC 1035 §4.2)
     * @param key      {@link QueryShape#key} of the query that made it
     * @param hash     {@link QueryShape#hash} of that key
     * @param reply    the reply bytes as first sent
     * @param qtype    the question's type, for the per-type counters
     * @param rcode    reply rcode, for the counters and the query log
     * @param aa       reply AA bit
     * @param tc       reply TC bit (a truncated UDP reply is as repeatable as any other)
     * @param answers  records in ANSWER
     */
    record Entry(Transport transport, byte[] key, int hash, byte[] reply, int qtype, int rcode, boolean aa, boolean tc,
                 int answers) {

        /** The stored reply with the asker's ID and RD bit, written into {@code out}. */
        void writeTo(ByteBuf out, ByteBuf query) {
            int start = out.writerIndex();
            out.writeBytes(reply);
            int q = query.readerIndex();
            out.setByte(start, query.getByte(q));
            out.setByte(start + 1, query.getByte(q + 1));
            out.setByte(start + FLAGS_BYTE, (reply[FLAGS_BYTE] & ~RD) | (query.getByte(q + FLAGS_BYTE) & RD));
        }
    }

    /** The slots, and the catalog their replies were built from. */
    private record Table(ZoneCatalog catalog, AtomicReferenceArray<Entry> slots) {
        Table(ZoneCatalog catalog) {
            this(catalog, new AtomicReferenceArray<>(SLOTS));
        }
    }

    private volatile Table table = new Table(null);

    /** The entry for this query, or null. {@code shapeEnd} is what {@link QueryShape#end} returned (positive). */
    Entry find(ByteBuf query, int shapeEnd, Transport transport, ZoneCatalog current) {
        Table t = tableFor(current);
        int hash = QueryShape.hash(query, shapeEnd);
        for (int i = 0; i < PROBE; i++) {
            Entry e = t.slots.get((hash + i) & (SLOTS - 1));
            if (e != null && e.hash == hash && e.transport == transport && QueryShape.sameKey(query, shapeEnd, e.key)) {
                return e;
            }
        }
        return null;
    }

    /**
     * Keeps {@code entry}, made from {@code builtFrom}, unless the zones were reloaded meanwhile (the table
     * is then another catalog's, and a reply of the old version must not be served from it).
     */
    void store(Entry entry, ZoneCatalog builtFrom) {
        Table t = table;
        if (t.catalog != builtFrom || entry.reply.length > MAX_REPLY) {
            return;
        }
        int slot = entry.hash & (SLOTS - 1);
        for (int i = 0; i < PROBE; i++) {
            int candidate = (entry.hash + i) & (SLOTS - 1);
            Entry present = t.slots.get(candidate);
            if (present == null || present.hash == entry.hash && present.transport == entry.transport
                    && Arrays.equals(present.key, entry.key)) {
                slot = candidate;
                break;
            }
        }
        // All probed slots taken by other questions: the newest question replaces the one at home.
        t.slots.set(slot, entry);
    }

    /** Entries currently kept (for tests). */
    int size() {
        AtomicReferenceArray<Entry> slots = table.slots;
        int n = 0;
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /**
     * The table for {@code current}; the first query after a reload swaps in an empty one. (A query
     * that read the catalog just before the reload may swap back an empty table of the old version;
     * the next query swaps again: answers always come from the version the query read.)
     */
    private Table tableFor(ZoneCatalog current) {
        Table t = table;
        if (t.catalog == current) {
            return t;
        }
        synchronized (this) {
            if (table.catalog != current) {
                table = new Table(current);
            }
            return table;
        }
    }
}
