package org.foobarstack.admin;

import java.util.List;
import java.util.Objects;
import org.foobarstack.toxics.Toxic;

/**
 * One link between two tiers of a stack that runs its links through proxies ({@code run --toxics}), as
 * {@code GET /api/links} shows it.
 *
 * @param from     the calling tier's instance ({@code app-1})
 * @param to       the called tier's instance ({@code db-1})
 * @param listen   where the proxy listens, {@code address:port}: where {@code from} connects
 * @param upstream where {@code to} listens, {@code address:port}
 * @param toxics   the toxics on the link, in the order they act
 */
public record LinkStatus(String from, String to, String listen, String upstream, List<Toxic> toxics) {

    public LinkStatus {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        toxics = List.copyOf(toxics);
    }

    /** {@code app-1->db-1}: the link's name in the API's paths and on the command line. */
    public String name() {
        return from + "->" + to;
    }

    /** {@code app-1_to_db-1}: the link's proxy's name in Toxiproxy's API ({@link #proxyName(String, String)}). */
    public String proxyName() {
        return proxyName(from, to);
    }

    /**
     * The name of the link from {@code from} to {@code to} in Toxiproxy's API, {@code app-1_to_db-1}. Its clients
     * put a proxy's name into the request's path as it is (toxiproxy-java does not percent-encode it), so the
     * name keeps to the characters a path segment may hold unencoded (RFC 3986 §2.3: letters, digits, "-", ".",
     * "_", "~"); the {@code ->} of {@link #name()} has a "&gt;", which must be encoded.
     */
    public static String proxyName(String from, String to) {
        return from + "_to_" + to;
    }
}
