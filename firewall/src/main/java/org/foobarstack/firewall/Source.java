package org.foobarstack.firewall;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Where a packet may come from: one IPv4 address or a block of them, written as CIDR text the way nftables writes
 * {@code ip saddr 127.0.0.0/24}.
 *
 * <p>A block is an address and a prefix length: the first {@code prefixLength} bits of an address must equal the
 * network's. {@code 127.0.0.0/24} is every address from 127.0.0.0 to 127.0.0.255; {@code 127.0.0.10/32} is that
 * one address; {@code 0.0.0.0/0} is every address, which is what "any" means.
 *
 * @param network      the block's first address (the host bits are cleared, as nftables and iptables do)
 * @param prefixLength how many leading bits must match, 0 to 32
 */
public record Source(InetAddress network, int prefixLength) {

    /** Every address: 0.0.0.0/0. */
    public static final Source ANY = new Source(ipv4(0), 0);

    public Source {
        Objects.requireNonNull(network, "network");
        if (!(network instanceof Inet4Address)) {
            throw new IllegalArgumentException("only IPv4 sources are supported, not " + network.getHostAddress());
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32, not " + prefixLength);
        }
        // 127.0.0.5/24 is stored as 127.0.0.0/24, so that two spellings of one block are equal
        network = ipv4(toInt(network) & mask(prefixLength));
    }

    /**
     * Reads "127.0.0.10", "127.0.0.0/24" or "any". Only numbers are read: a host name would need a DNS lookup, and
     * a packet filter, which runs before any name server can be asked, knows addresses only.
     *
     * @throws IllegalArgumentException if the text is none of these
     */
    public static Source parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        if (t.equalsIgnoreCase("any")) {
            return ANY;
        }
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        int prefix = 32;
        if (slash >= 0) {
            String digits = t.substring(slash + 1);
            if (digits.isEmpty() || digits.length() > 2 || !digits.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("bad prefix length in \"" + text + "\": expected /0 to /32");
            }
            prefix = Integer.parseInt(digits);
            if (prefix > 32) {
                throw new IllegalArgumentException("bad prefix length in \"" + text + "\": expected /0 to /32");
            }
        }
        return new Source(ipv4(parseDottedQuad(address, text)), prefix);
    }

    /** Whether {@code address} lies in this block. Every address, IPv6 too, lies in 0.0.0.0/0 ("any"). */
    public boolean matches(InetAddress address) {
        if (prefixLength == 0) {
            return true;
        }
        if (!(address instanceof Inet4Address)) {
            return false;
        }
        return (toInt(address) & mask(prefixLength)) == toInt(network);
    }

    /** Whether this is 0.0.0.0/0, which matches everything. */
    public boolean isAny() {
        return prefixLength == 0;
    }

    /** CIDR text: "127.0.0.0/24"; one address is written alone, "127.0.0.10", as nftables prints it. */
    @Override
    public String toString() {
        return prefixLength == 32 ? network.getHostAddress() : network.getHostAddress() + "/" + prefixLength;
    }

    private static int parseDottedQuad(String address, String text) {
        String[] parts = address.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address, a CIDR block or \"any\": \"" + text + "\"");
        }
        int value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address, a CIDR block or \"any\": \"" + text + "\"");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("\"" + text + "\": " + octet + " is more than 255");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    private static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    private static int toInt(InetAddress address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static InetAddress ipv4(int value) {
        byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return InetAddress.getByAddress(b); // four bytes: no lookup, always an Inet4Address
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
