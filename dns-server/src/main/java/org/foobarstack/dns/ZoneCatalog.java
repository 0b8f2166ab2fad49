package org.foobarstack.dns;

import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.Name;

/**
 * The set of zones one server is authoritative for, as one immutable snapshot.
 *
 * <p>A reload builds a new catalog and swaps it in with a single volatile write, so a query is
 * always answered from one consistent version of every zone.
 */
public final class ZoneCatalog {

    private final List<AuthoritativeZone> zones;

    ZoneCatalog(List<AuthoritativeZone> zones) {
        // Deepest origin first: for "a.sub.foobar.com" a zone "sub.foobar.com" wins over "foobar.com".
        this.zones = zones.stream()
                .sorted(Comparator.comparingInt((AuthoritativeZone z) -> z.origin().labels()).reversed())
                .toList();
    }

    public List<AuthoritativeZone> zones() {
        return zones;
    }

    /**
     * RFC 1034 §4.3.2 step 2: "search the available zones for the zone which is the nearest
     * ancestor to QNAME". {@code null} when no zone contains the name.
     */
    AuthoritativeZone zoneFor(Name qname) {
        for (AuthoritativeZone zone : zones) {
            if (qname.subdomain(zone.origin())) {
                return zone;
            }
        }
        return null;
    }

    /** The zone whose apex is exactly {@code origin}, or {@code null}. */
    AuthoritativeZone zoneAt(Name origin) {
        for (AuthoritativeZone zone : zones) {
            if (zone.origin().equals(origin)) {
                return zone;
            }
        }
        return null;
    }
}
