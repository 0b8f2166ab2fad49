package org.foobarstack.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * One zone as the answering code sees it: an immutable tree of names, each holding its RRsets.
 *
 * <p>Built only by {@link ZoneLoader}, after validation. Three facts make the answering code
 * simple:
 * <ol>
 *   <li>every name between a record's owner and the apex is present, even if it owns no record:
 *       those are the <em>empty non-terminals</em> of RFC 8020 §2 ({@code b.c.foobar.com} when
 *       only {@code a.b.c.foobar.com} has data). An empty node means "exists, no data": NODATA,
 *       never NXDOMAIN;</li>
 *   <li>names are compared case-insensitively: dnsjava's {@link Name#equals} and
 *       {@link Name#hashCode} ignore ASCII case, as RFC 1035 §2.3.3 and RFC 4343 require;</li>
 *   <li>the negative-answer SOA is prepared once, with its TTL already lowered to
 *       min(SOA TTL, SOA MINIMUM) as RFC 2308 §3 asks.</li>
 * </ol>
 */
public final class AuthoritativeZone {

    private final String source;
    private final Name origin;
    private final SOARecord soa;
    private final SOARecord negativeSoa;
    private final RRset apexNs;
    private final Map<Name, Map<Integer, RRset>> nodes;
    private final List<Record> transferOrder;
    private final List<RRset> apexNsAddresses;

    AuthoritativeZone(String source, Name origin, Map<Name, Map<Integer, RRset>> nodes, List<Record> fileOrder) {
        this.source = source;
        this.origin = origin;
        Map<Name, Map<Integer, RRset>> frozen = new LinkedHashMap<>();
        nodes.forEach((name, rrsets) -> frozen.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(rrsets))));
        this.nodes = Collections.unmodifiableMap(frozen);
        Map<Integer, RRset> apex = this.nodes.get(origin);
        this.soa = (SOARecord) apex.get(Type.SOA).first();
        this.apexNs = apex.get(Type.NS);
        long negativeTtl = Math.min(soa.getTTL(), soa.getMinimum());
        this.negativeSoa = new SOARecord(origin, soa.getDClass(), negativeTtl, soa.getHost(), soa.getAdmin(),
                soa.getSerial(), soa.getRefresh(), soa.getRetry(), soa.getExpire(), soa.getMinimum());
        // RFC 5936 §2.2: a transfer starts and ends with the SOA; everything else in file order.
        List<Record> order = new ArrayList<>();
        order.add(soa);
        for (Record record : fileOrder) {
            if (record.getType() != Type.SOA) {
                order.add(record);
            }
        }
        this.transferOrder = List.copyOf(order);
        List<RRset> addresses = new ArrayList<>();
        for (Record ns : apexNs.rrs(false)) {
            addresses.addAll(addressesOf(ns.getAdditionalName()));
        }
        this.apexNsAddresses = List.copyOf(addresses);
    }

    /** Where the zone came from (file name or classpath resource), for logs and errors. */
    public String source() {
        return source;
    }

    public Name origin() {
        return origin;
    }

    public long serial() {
        return soa.getSerial();
    }

    SOARecord soa() {
        return soa;
    }

    /** The SOA to put in AUTHORITY of NXDOMAIN and NODATA answers (RFC 2308 §3). */
    SOARecord negativeSoa() {
        return negativeSoa;
    }

    RRset apexNs() {
        return apexNs;
    }

    /** A and AAAA RRsets of the apex name servers that live inside this zone. */
    List<RRset> apexNsAddresses() {
        return apexNsAddresses;
    }

    /** True if {@code name} is at or below this zone's apex. */
    boolean contains(Name name) {
        return name.subdomain(origin);
    }

    /**
     * The RRsets owned by {@code name}, keyed by type; an empty map for an empty non-terminal;
     * {@code null} if the name does not exist in the zone.
     */
    Map<Integer, RRset> node(Name name) {
        return nodes.get(name);
    }

    /** The A then AAAA RRsets owned by {@code name} in this zone, if any (RFC 1034 §4.3.2 step 6). */
    List<RRset> addressesOf(Name name) {
        Map<Integer, RRset> node = nodes.get(name);
        if (node == null) {
            return List.of();
        }
        RRset a = node.get(Type.A);
        RRset aaaa = node.get(Type.AAAA);
        if (a == null && aaaa == null) {
            return List.of();
        }
        if (a == null) {
            return List.of(aaaa);
        }
        return aaaa == null ? List.of(a) : List.of(a, aaaa);
    }

    /** Every record, SOA first, in the order a zone transfer sends them (without the closing SOA). */
    List<Record> transferOrder() {
        return transferOrder;
    }

    @Override
    public String toString() {
        return origin + " serial " + soa.getSerial() + " from " + source;
    }
}
