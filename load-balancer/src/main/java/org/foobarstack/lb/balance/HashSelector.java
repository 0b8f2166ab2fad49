package org.foobarstack.lb.balance;

import org.foobarstack.lb.backend.Server;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code balance source} and {@code balance uri}: a hash of the client's address, or of the request's path,
 * picks the server, so the same client (or the same page) keeps landing on the same server.
 *
 * <p>This is HAProxy's default "map-based" hashing: the usable servers are laid out in a table where each
 * appears as many times as its weight, and the hash modulo the table's size is the slot. It is sticky only for as
 * long as the set of usable servers stays the same: when one goes down, the table shrinks and most keys move to
 * another slot (HAProxy's {@code hash-type consistent} would move only the keys of the server that left). A server
 * added or removed at run time moves them the same way. The table is laid out anew for each request from the
 * servers usable then, so nothing here goes stale when the servers change.
 *
 * <p>The hash is 32-bit FNV-1a over the bytes (the four bytes of an IPv4 address, or the path's UTF-8 bytes),
 * chosen for being short enough to read here and spreading similar keys (127.0.0.1, 127.0.0.2) apart.
 */
final class HashSelector implements Selector {

    enum Key { SOURCE, URI }

    private final Key key;

    HashSelector(Key key) {
        this.key = key;
    }

    @Override
    public Server select(List<Server> usable, RequestKey request) {
        byte[] bytes = key == Key.SOURCE ? request.clientAddress().getAddress() : pathOf(request.path());
        int totalWeight = 0;
        for (Server server : usable) {
            totalWeight += server.weight();
        }
        long slot = Integer.toUnsignedLong(fnv1a(bytes)) % totalWeight;
        for (Server server : usable) {
            slot -= server.weight();
            if (slot < 0) {
                return server;
            }
        }
        throw new IllegalStateException("unreachable: the slot lies within the total weight");
    }

    /** The path before "?": HAProxy's {@code balance uri} without {@code whole}. */
    private static byte[] pathOf(String target) {
        String path = target == null ? "/" : target;
        int query = path.indexOf('?');
        return (query >= 0 ? path.substring(0, query) : path).getBytes(StandardCharsets.UTF_8);
    }

    /** FNV-1a, 32 bits: start from the offset basis, then for each byte xor it in and multiply by the prime. */
    static int fnv1a(byte[] bytes) {
        int hash = 0x811C9DC5;
        for (byte b : bytes) {
            hash ^= b & 0xFF;
            hash *= 0x01000193;
        }
        return hash;
    }
}
