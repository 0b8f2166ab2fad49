package org.foobarstack.dns;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The heart of the server: RFC 1034 §4.3.2 "Algorithm", for an authoritative-only server, one
 * step at a time. Read {@link #answer} from top to bottom next to the RFC.
 *
 * <p>The steps, as the RFC numbers them:
 * <ol>
 *   <li>recursion is never offered (RA stays clear), so step 1 only copies RD;</li>
 *   <li>find the zone that is the nearest ancestor of QNAME; none means the name is not ours,
 *       and since we are not a resolver the answer is REFUSED (no cache, step 4, to fall back on);</li>
 *   <li>walk down the zone from its apex, label by label, towards QNAME:
 *     <ol type="a">
 *       <li>the whole name matched: CNAME (unless CNAME or ANY was asked) means restart with its
 *           target; otherwise copy the asked RRset, or answer NODATA (RFC 2308 §2.2);</li>
 *       <li>a name with NS on the way down (not the apex) is a zone cut: refer the client to the
 *           child's servers, aa clear, glue in ADDITIONAL;</li>
 *       <li>a label is missing: look for the wildcard {@code *.<closest encloser>} (RFC 4592
 *           §3.3.1); without one the name does not exist: NXDOMAIN (RFC 2308 §2.1);</li>
 *     </ol></li>
 *   <li>(cache lookup: an authoritative-only server has none);</li>
 *   <li>(answers from other servers: not for us);</li>
 *   <li>add A/AAAA of names in NS and MX records to ADDITIONAL, when the zone has them.</li>
 * </ol>
 * Negative answers carry the zone's SOA in AUTHORITY with TTL min(SOA TTL, MINIMUM), RFC 2308 §3.
 * The class is stateless: one instance may serve every thread.
 *
 * <p>Records are always read in zone file order ({@code rrs(false)}): dnsjava's {@code rrs()} rotates an
 * RRset's records on every call, so the same question would get its records in another order each time.
 * The order carries no meaning (RFC 2181 §5), but a reply must depend on the question and the zone only,
 * not on how many questions came before it: that is what lets {@link AnswerCache} keep replies.
 */
final class AuthoritativeAnswerer {

    /** Longest CNAME chain followed inside a zone before giving the chain so far back to the client. */
    static final int MAX_CNAME_CHAIN = 16;

    private static final Name WILDCARD_LABEL = Name.fromConstantString("*");

    Answer answer(ZoneCatalog catalog, Name qname, int qtype) {
        // Step 2: the nearest enclosing zone, or REFUSED: answering for names outside our zones
        // would make this an open resolver (RFC 5358), which it must not be.
        AuthoritativeZone zone = catalog.zoneFor(qname);
        if (zone == null) {
            return Answer.refused();
        }
        List<RRset> answer = new ArrayList<>(2);
        Set<Name> visited = null;
        Name current = qname;

        for (int link = 0; ; link++) {
            // Step 3: descend from the apex, one label at a time, towards the current name.
            Name origin = zone.origin();
            int targetLabels = current.labels();
            Map<Integer, RRset> node = zone.node(origin);
            Name closestEncloser = origin;
            boolean matched = true;
            boolean atCut = false;
            for (int labels = origin.labels() + 1; labels <= targetLabels; labels++) {
                Name candidate = labels == targetLabels ? current : new Name(current, targetLabels - labels);
                Map<Integer, RRset> child = zone.node(candidate);
                if (child == null) {
                    matched = false;
                    break;
                }
                closestEncloser = candidate;
                node = child;
                // Step 3b: NS below the apex marks a zone cut. The one exception: DS lives on the
                // parent side of the cut (RFC 4035 §3.1.4.1), so DS at the cut is answered here.
                boolean dsAtCut = labels == targetLabels && qtype == Type.DS;
                if (child.containsKey(Type.NS) && !dsAtCut) {
                    atCut = true;
                    break;
                }
            }

            if (atCut) {
                return referral(zone, node.get(Type.NS), answer);
            }

            Name owner = current;
            boolean synthesised = false;
            if (!matched) {
                // Step 3c: RFC 4592 §3.3.1: only the wildcard directly below the closest encloser
                // (the deepest existing ancestor, empty non-terminals included) can match. So a name
                // below an existing name without its own "*" child is NXDOMAIN.
                Map<Integer, RRset> wildcard = zone.node(wildcardBelow(closestEncloser));
                if (wildcard == null) {
                    // RFC 2308 §2.1 and RFC 6604 §2: NXDOMAIN, even at the end of a CNAME chain.
                    return new Answer(Rcode.NXDOMAIN, true, Answer.Kind.NXDOMAIN, answer,
                            List.of(new RRset(zone.negativeSoa())), List.of());
                }
                node = wildcard;
                synthesised = true;
            }

            // Step 3a: the name matched (exactly or through the wildcard).
            RRset cname = node.get(Type.CNAME);
            if (cname != null && qtype != Type.CNAME && qtype != Type.ANY) {
                answer.add(synthesised ? rename(cname, owner) : cname);
                Name target = ((CNAMERecord) cname.first()).getTarget();
                if (visited == null) {
                    visited = new HashSet<>();
                }
                visited.add(current);
                // Follow the chain inside this zone only; a target elsewhere, a loop, or a chain
                // too long ends here and the client's resolver carries on (RFC 1034 §3.6.2).
                if (!zone.contains(target) || visited.contains(target) || link + 1 >= MAX_CNAME_CHAIN) {
                    return new Answer(Rcode.NOERROR, true, Answer.Kind.CNAME_EXIT, answer, List.of(), List.of());
                }
                current = target;
                continue;
            }

            if (qtype == Type.ANY) {
                // RFC 8482 §4.2: answer ANY with one RRset of the name, not all of them.
                if (node.isEmpty()) {
                    return noData(zone, answer);
                }
                RRset first = node.values().iterator().next();
                answer.add(synthesised ? rename(first, owner) : first);
                return new Answer(Rcode.NOERROR, true, Answer.Kind.POSITIVE, answer, List.of(), List.of());
            }

            RRset rrset = node.get(qtype);
            if (rrset == null) {
                // The name exists (maybe as an empty non-terminal, RFC 8020 §2) without this type.
                return noData(zone, answer);
            }
            answer.add(synthesised ? rename(rrset, owner) : rrset);
            return positive(zone, answer);
        }
    }

    /** RFC 2308 §2.2: NOERROR, no records of the type, SOA in AUTHORITY. */
    private static Answer noData(AuthoritativeZone zone, List<RRset> answer) {
        return new Answer(Rcode.NOERROR, true, Answer.Kind.NODATA, answer,
                List.of(new RRset(zone.negativeSoa())), List.of());
    }

    /**
     * A positive answer: the zone's NS in AUTHORITY (as NSD and BIND send it, so the client learns
     * who else is authoritative), and step 6: A/AAAA for names in NS and MX records.
     */
    private static Answer positive(AuthoritativeZone zone, List<RRset> answer) {
        boolean answerIsApexNs = false;
        List<RRset> additional = new ArrayList<>(4);
        for (RRset set : answer) {
            if (set.getType() == Type.NS && set.getName().equals(zone.origin())) {
                answerIsApexNs = true;
            }
            if (set.getType() == Type.NS || set.getType() == Type.MX) {
                for (Record r : set.rrs(false)) {
                    addAddresses(zone, r.getAdditionalName(), answer, additional);
                }
            }
        }
        List<RRset> authority = List.of();
        if (!answerIsApexNs) {
            authority = List.of(zone.apexNs());
            for (RRset addresses : zone.apexNsAddresses()) {
                addOnce(addresses, answer, additional);
            }
        }
        return new Answer(Rcode.NOERROR, true, Answer.Kind.POSITIVE, answer, authority, additional);
    }

    /**
     * Step 3b: a referral. The child zone's NS go to AUTHORITY, their addresses (glue) to
     * ADDITIONAL, and {@code aa} is clear because the child's data is not ours (RFC 1034 §4.3.2,
     * RFC 1035 §4.1.1 AA). If a CNAME chain led here, the chain stays in ANSWER and is authoritative.
     */
    private static Answer referral(AuthoritativeZone zone, RRset childNs, List<RRset> answer) {
        List<RRset> glue = new ArrayList<>(2);
        for (Record ns : childNs.rrs(false)) {
            addAddresses(zone, ns.getAdditionalName(), answer, glue);
        }
        return new Answer(Rcode.NOERROR, !answer.isEmpty(), Answer.Kind.REFERRAL, answer, List.of(childNs), glue);
    }

    private static void addAddresses(AuthoritativeZone zone, Name target, List<RRset> answer, List<RRset> additional) {
        if (!zone.contains(target)) {
            return;
        }
        for (RRset addresses : zone.addressesOf(target)) {
            addOnce(addresses, answer, additional);
        }
    }

    /** The same RRset is never repeated in a message (RFC 2181 §5: an RRset is sent whole, once). */
    private static void addOnce(RRset set, List<RRset> answer, List<RRset> additional) {
        for (RRset present : answer) {
            if (present == set) {
                return;
            }
        }
        for (RRset present : additional) {
            if (present == set) {
                return;
            }
        }
        additional.add(set);
    }

    /**
     * {@code *.<closest encloser>}. The closest encloser has at least one label fewer than the
     * name asked, so adding the one-byte label "*" can never exceed 255 bytes.
     */
    private static Name wildcardBelow(Name closestEncloser) {
        try {
            return Name.concatenate(WILDCARD_LABEL, closestEncloser);
        } catch (org.xbill.DNS.NameTooLongException e) {
            throw new IllegalStateException("wildcard name too long below " + closestEncloser, e);
        }
    }

    /** RFC 4592 §3.3.1: records synthesised from a wildcard take the name that was asked. */
    private static RRset rename(RRset wildcard, Name owner) {
        RRset synthesised = new RRset();
        for (Record r : wildcard.rrs(false)) {
            synthesised.addRR(r.withName(owner));
        }
        return synthesised;
    }
}
