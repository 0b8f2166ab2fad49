package org.foobarstack.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.foobarstack.trace.RateLimitedLog;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * Response Rate Limiting (RRL) for UDP, the way BIND 9 ({@code lib/dns/rrl.c}) and NSD ({@code rrl.c}) do it.
 *
 * <p>Why: a DNS query over UDP is one datagram whose source address nobody checks. An attacker sends small
 * queries with the victim's address as the source, and this server sends its larger replies to the victim:
 * reflection, with amplification. The server cannot tell a spoofed query from a real one, but it can notice that
 * it is sending the same reply to the same network over and over, which no real resolver needs (it caches).
 *
 * <p>How, for each reply about to be sent over UDP:
 * <ol>
 *   <li>The client's address is cut to its prefix ({@code /24} for IPv4, {@code /56} for IPv6): an attacker
 *       spoofing many addresses of one network is one client.</li>
 *   <li>The reply is read back into a {@link Token}, the thing that must not be repeated too often:
 *       an answer counts per question name and type; NXDOMAIN and NODATA count per zone (the SOA's owner), so
 *       that made-up names ({@code random1.foobar.com}, {@code random2...}) share one budget; a referral counts
 *       per delegation point (the NS owner); every error (FORMERR, REFUSED, SERVFAIL, NOTIMP...) of a prefix
 *       shares one token. These are NSD's classes ({@code rrl_classify}).</li>
 *   <li>Each (prefix, token) has an account, BIND's {@code debit_rrl_entry}: it is credited
 *       {@code responsesPerSecond} for every second gone by, never above that, and debited one per reply. A
 *       balance of 0 or more sends the reply. Below 0 the reply is limited, and the balance may sink to
 *       {@code -window * responsesPerSecond}: a client that keeps flooding stays limited until its average over
 *       the window falls under the rate. An account unused for longer than the window starts afresh.</li>
 *   <li>A limited reply is dropped, except every {@code slip}-th one, which is sent truncated: TC set, the
 *       question kept, no records ({@link #truncated}). A real client whose address is being spoofed still gets
 *       a reply now and then, and TC makes it ask again over TCP, where it gets the whole answer; the truncated
 *       reply is no bigger than the query, so it amplifies nothing.</li>
 * </ol>
 *
 * <p>TCP is exempt (this class is only called by {@link UdpQueryHandler}): the three-way handshake proves the
 * client owns its address, so a TCP reply cannot be reflected onto someone else. That is also why slipping works.
 *
 * <p>Accounts live in a table of at most {@code maxTableSize} entries; the least recently used one is forgotten
 * when a new one is needed, as BIND reuses its oldest entries. Threads: one lock around the table; the server
 * with several UDP threads takes it once per reply, and only when RRL is on.
 */
final class ResponseRateLimiter {

    /** What happens to one reply. */
    enum Verdict { SEND, SLIP, DROP }

    /** The classes of reply that are counted apart, named as NSD names them in its log. */
    enum Kind { ANSWER, NODATA, NXDOMAIN, REFERRAL, ERROR }

    /**
     * What a reply is counted against: the client's network and what the reply says.
     *
     * @param prefix the client's address with the bits past the prefix length cleared
     * @param kind the class of the reply
     * @param name the question name (ANSWER), the zone (NXDOMAIN, NODATA), the delegation point (REFERRAL), or
     *     null (ERROR, or a reply too broken to read)
     * @param qtype the question type for an ANSWER, else 0
     */
    record Token(InetAddress prefix, Kind kind, Name name, int qtype) {
        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + (name == null ? "" : " " + name)
                    + (kind == Kind.ANSWER ? "/" + Type.string(qtype) : "");
        }
    }

    /** One (prefix, token)'s balance, BIND's {@code dns_rrl_entry}. */
    private static final class Account {
        long balance;
        long second;
        int slipCount;
        boolean limited;
    }

    private static final int HEADER_LENGTH = 12;
    private static final int FLAGS = 2;
    private static final int QDCOUNT = 4;
    private static final int ANCOUNT = 6;
    private static final int NSCOUNT = 8;
    private static final int ARCOUNT = 10;
    private static final int FLAG_AA = 0x0400;
    private static final int FLAG_TC = 0x0200;
    private static final int RCODE_MASK = 0x000F;
    /** Type, class, TTL and RDLENGTH after a record's owner name (RFC 1035 §4.1.3). */
    private static final int QUESTION_FIXED = 4;

    private final ResponseRateLimit settings;
    private final RateLimitedLog log;
    private final Map<Token, Account> accounts;

    ResponseRateLimiter(ResponseRateLimit settings, RateLimitedLog log) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("a limiter for a limit that is off");
        }
        this.settings = settings;
        this.log = log;
        int max = settings.maxTableSize();
        this.accounts = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Token, Account> eldest) {
                return size() > max;
            }
        };
    }

    /** Steps 1 to 4 for one reply about to go to {@code client}. */
    Verdict check(InetAddress client, ByteBuffer reply) {
        return check(token(prefix(client), reply));
    }

    /** Steps 3 and 4: debits the token's account and says what to do with the reply. */
    synchronized Verdict check(Token token) {
        long rate = settings.responsesPerSecond();
        long now = settings.clock().instant().getEpochSecond();
        Account account = accounts.get(token);
        if (account == null) {
            account = new Account();
            account.balance = rate;
            account.second = now;
            accounts.put(token, account);
        }
        long age = now - account.second;
        if (age > 0) {
            // credit the seconds gone by, never above one second's worth; an account idle for longer than the
            // window starts afresh
            account.balance = age > settings.window() ? rate : account.balance + rate * age;
            if (account.balance >= rate) {
                account.balance = rate;
                account.slipCount = 0;
            }
            account.second = now;
        }
        // a clock that went back is taken as no time gone by (BIND's get_age)
        account.balance--;
        if (account.balance >= 0) {
            if (account.limited) {
                account.limited = false;
                log.info("rate limit: no longer limiting {} to {}", token, network(token));
            }
            return Verdict.SEND;
        }
        account.balance = Math.max(account.balance, -(long) settings.window() * rate);
        if (!account.limited) {
            account.limited = true;
            log.warnOfKind("rrl", "rate limit: limiting {} to {} (over {} responses/s; {})", token, network(token),
                    rate, settings.slip() == 0 ? "all dropped"
                            : "1 in " + settings.slip() + " sent truncated, the rest dropped");
        }
        int slip = settings.slip();
        if (slip != 0) {
            // BIND's slip counter: the first limited reply slips, the next slip-1 are dropped, and so on
            if (account.slipCount++ == 0) {
                if (account.slipCount >= slip) {
                    account.slipCount = 0;
                }
                return Verdict.SLIP;
            }
            if (account.slipCount >= slip) {
                account.slipCount = 0;
            }
        }
        return Verdict.DROP;
    }

    private String network(Token token) {
        return token.prefix().getHostAddress() + "/"
                + (token.prefix().getAddress().length == 4 ? settings.ipv4PrefixLength() : settings.ipv6PrefixLength());
    }

    /** Accounts in the table now. */
    synchronized int accounts() {
        return accounts.size();
    }

    /** Step 1: the client's network, the address with the bits past the prefix length cleared. */
    InetAddress prefix(InetAddress client) {
        byte[] bytes = client.getAddress();
        int keep = bytes.length == 4 ? settings.ipv4PrefixLength() : settings.ipv6PrefixLength();
        for (int i = 0; i < bytes.length; i++) {
            int bitsLeft = keep - i * Byte.SIZE;
            if (bitsLeft <= 0) {
                bytes[i] = 0;
            } else if (bitsLeft < Byte.SIZE) {
                bytes[i] &= (byte) (0xFF << (Byte.SIZE - bitsLeft));
            }
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are an address", e);
        }
    }

    /** Step 2: what the reply (the whole message, from position 0 of {@code reply}) is counted against. */
    static Token token(InetAddress prefix, ByteBuffer reply) {
        if (reply.remaining() < HEADER_LENGTH) {
            return new Token(prefix, Kind.ERROR, null, 0);
        }
        int base = reply.position();
        int flags = u16(reply, base + FLAGS);
        int rcode = flags & RCODE_MASK;
        if ((rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) || u16(reply, base + QDCOUNT) != 1) {
            return new Token(prefix, Kind.ERROR, null, 0);
        }
        try {
            DNSInput in = new DNSInput(reply.duplicate());
            in.jump(HEADER_LENGTH);
            Name qname = new Name(in);
            int qtype = in.readU16();
            in.readU16(); // class
            int answers = u16(reply, base + ANCOUNT);
            if (rcode == Rcode.NOERROR && answers > 0) {
                return new Token(prefix, Kind.ANSWER, qname, qtype);
            }
            for (int i = 0; i < answers; i++) {
                skipRecord(in); // an NXDOMAIN may follow a CNAME chain
            }
            Name owner = null;
            int type = 0;
            if (u16(reply, base + NSCOUNT) > 0) {
                owner = new Name(in);
                type = in.readU16();
            }
            if (rcode == Rcode.NXDOMAIN) {
                return new Token(prefix, Kind.NXDOMAIN, type == Type.SOA ? owner : null, 0);
            }
            if (type == Type.NS && (flags & FLAG_AA) == 0) {
                return new Token(prefix, Kind.REFERRAL, owner, 0);
            }
            return new Token(prefix, Kind.NODATA, type == Type.SOA ? owner : null, 0);
        } catch (WireParseException e) {
            return new Token(prefix, Kind.ERROR, null, 0);
        }
    }

    private static void skipRecord(DNSInput in) throws WireParseException {
        new Name(in);
        in.readU16(); // type
        in.readU16(); // class
        in.readU32(); // TTL
        int rdlength = in.readU16();
        if (rdlength > in.remaining()) {
            throw new WireParseException("record data past the end of the message");
        }
        in.jump(in.current() + rdlength);
    }

    private static int u16(ByteBuffer buffer, int index) {
        return Short.toUnsignedInt(buffer.getShort(index));
    }

    /**
     * Step 4's slipped reply, made from the reply it replaces: the header with TC set and the answer, authority
     * and additional counts at 0, then the question, nothing else (as NSD's {@code rrl_slip}). A reply whose
     * question cannot be read keeps its header only. {@code reply} is not consumed.
     */
    static ByteBuf truncated(ByteBuf reply, ByteBufAllocator alloc) {
        int start = reply.readerIndex();
        int length = HEADER_LENGTH;
        if (reply.readableBytes() < HEADER_LENGTH) {
            length = reply.readableBytes();
        } else if (reply.getUnsignedShort(start + QDCOUNT) == 1) {
            try {
                DNSInput in = new DNSInput(reply.nioBuffer(start, reply.readableBytes()));
                in.jump(HEADER_LENGTH);
                new Name(in);
                if (in.remaining() >= QUESTION_FIXED) {
                    length = in.current() + QUESTION_FIXED;
                }
            } catch (WireParseException e) {
                length = HEADER_LENGTH;
            }
        }
        ByteBuf out = alloc.ioBuffer(length).writeBytes(reply, start, length);
        if (length >= HEADER_LENGTH) {
            out.setShort(FLAGS, out.getUnsignedShort(FLAGS) | FLAG_TC);
            out.setShort(QDCOUNT, length > HEADER_LENGTH ? 1 : 0);
            out.setShort(ANCOUNT, 0);
            out.setShort(NSCOUNT, 0);
            out.setShort(ARCOUNT, 0);
        }
        return out;
    }
}
