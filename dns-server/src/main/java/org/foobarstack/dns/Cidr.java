package org.foobarstack.dns;

import java.net.InetAddress;

/**
 * A network in CIDR notation ({@code 127.0.0.0/8}, {@code ::1/128}), used for the zone transfer
 * allow-list (RFC 5936 §6: a server should restrict who may transfer a zone).
 *
 * @param network the network address (bits past the prefix are ignored)
 * @param prefixLength number of leading bits that must match
 */
public record Cidr(InetAddress network, int prefixLength) {

    public Cidr {
        int max = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max);
        }
    }

    /** Parses {@code "10.0.0.0/8"}, or a bare address meaning that single host. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        InetAddress address = DnsServerConfig.parseAddress(slash < 0 ? text : text.substring(0, slash));
        int bits = slash < 0 ? address.getAddress().length * 8 : Integer.parseInt(text.substring(slash + 1));
        return new Cidr(address, bits);
    }

    /** True if {@code address} is inside this network (an IPv4 address never matches an IPv6 network). */
    public boolean contains(InetAddress address) {
        byte[] want = network.getAddress();
        byte[] have = address.getAddress();
        if (want.length != have.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (want[i] != have[i]) {
                return false;
            }
        }
        int restBits = prefixLength % 8;
        if (restBits == 0) {
            return true;
        }
        int mask = (0xFF << (8 - restBits)) & 0xFF;
        return (want[fullBytes] & mask) == (have[fullBytes] & mask);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
