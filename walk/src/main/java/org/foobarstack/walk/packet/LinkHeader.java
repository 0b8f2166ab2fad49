package org.foobarstack.walk.packet;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Field;

/**
 * The link-layer header at the start of a captured frame: how long it is, and which internet-layer
 * protocol follows it. Which header it is depends on the pcap file's link type (the tcpdump.org list of
 * LINKTYPE_ values):
 * <ul>
 *   <li>1, Ethernet II (IEEE 802.3): destination and source hardware address, 6 bytes each, then the
 *       2-byte EtherType. Linux's loopback device pretends to be Ethernet, with all-zero addresses.</li>
 *   <li>113, Linux cooked capture (SLL): 16 bytes tcpdump uses for {@code -i any}.</li>
 *   <li>276, Linux cooked capture version 2 (SLL2): 20 bytes, with the interface index.</li>
 *   <li>0, BSD loopback: a 4-byte address family in the writer's byte order.</li>
 *   <li>101 (and 12, its old number on Linux), raw IP: no header at all.</li>
 * </ul>
 *
 * @param name     the header's name
 * @param length   its length in bytes: where the internet-layer header begins
 * @param etherType the protocol that follows, as an EtherType: 0x0800 IPv4, 0x86dd IPv6
 * @param field    the header as a field tree
 */
public record LinkHeader(String name, int length, int etherType, Field field) {

    public static final int ETHERNET = 1;
    public static final int LINUX_SLL = 113;
    public static final int LINUX_SLL2 = 276;
    public static final int NULL = 0;
    public static final int RAW = 101;
    public static final int RAW_LINUX_OLD = 12;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86dd;

    private static final int ETHERNET_LENGTH = 14;
    private static final int SLL_LENGTH = 16;
    private static final int SLL2_LENGTH = 20;
    private static final int NULL_LENGTH = 4;
    /** BSD address families that mean IPv6 in a loopback header (FreeBSD, OpenBSD, macOS use different values). */
    private static final List<Long> AF_INET6 = List.of(10L, 24L, 28L, 30L);
    private static final int AF_INET = 2;

    public static LinkHeader decode(int linkType, byte[] frame) {
        return switch (linkType) {
            case ETHERNET -> ethernet(frame);
            case LINUX_SLL -> sll(frame);
            case LINUX_SLL2 -> sll2(frame);
            case NULL -> bsdLoopback(frame);
            case RAW, RAW_LINUX_OLD -> raw(frame);
            default -> throw new MalformedPacketException(0, "link type " + linkType + " is not one this"
                    + " reader decodes (1 Ethernet, 113 and 276 Linux cooked, 0 BSD loopback, 101 raw IP)");
        };
    }

    private static LinkHeader ethernet(byte[] frame) {
        Bytes.check(frame, 0, ETHERNET_LENGTH);
        int type = Bytes.u16(frame, 12);
        String destination = Bytes.hex(frame, 0, 6, ":");
        String source = Bytes.hex(frame, 6, 6, ":");
        List<Field> children = List.of(
                Field.of("Destination", 0, 6, destination + zeros(destination)),
                Field.of("Source", 6, 6, source + zeros(source)),
                Field.of("Type", 12, 2, etherTypeText(type)));
        return new LinkHeader("Ethernet II", ETHERNET_LENGTH, type, Field.group("Link layer: Ethernet II", 0,
                ETHERNET_LENGTH, "Src: " + source + ", Dst: " + destination, children));
    }

    private static LinkHeader sll(byte[] frame) {
        Bytes.check(frame, 0, SLL_LENGTH);
        int addressLength = Bytes.u16(frame, 4);
        int type = Bytes.u16(frame, 14);
        List<Field> children = List.of(
                Field.of("Packet type", 0, 2, packetType(Bytes.u16(frame, 0))),
                Field.of("Link-layer address type", 2, 2, arphrd(Bytes.u16(frame, 2))),
                Field.of("Link-layer address length", 4, 2, Integer.toString(addressLength)),
                Field.of("Source", 6, 8, Bytes.hex(frame, 6, Math.min(addressLength, 8), ":")),
                Field.of("Protocol", 14, 2, etherTypeText(type)));
        return new LinkHeader("Linux cooked capture", SLL_LENGTH, type, Field.group(
                "Link layer: Linux cooked capture v1", 0, SLL_LENGTH, etherTypeText(type), children));
    }

    private static LinkHeader sll2(byte[] frame) {
        Bytes.check(frame, 0, SLL2_LENGTH);
        int type = Bytes.u16(frame, 0);
        int addressLength = Bytes.u8(frame, 11);
        List<Field> children = List.of(
                Field.of("Protocol", 0, 2, etherTypeText(type)),
                Field.of("Reserved", 2, 2, Integer.toString(Bytes.u16(frame, 2))),
                Field.of("Interface index", 4, 4, Long.toString(Bytes.u32(frame, 4))),
                Field.of("Link-layer address type", 8, 2, arphrd(Bytes.u16(frame, 8))),
                Field.of("Packet type", 10, 1, packetType(Bytes.u8(frame, 10))),
                Field.of("Link-layer address length", 11, 1, Integer.toString(addressLength)),
                Field.of("Source", 12, 8, Bytes.hex(frame, 12, Math.min(addressLength, 8), ":")));
        return new LinkHeader("Linux cooked capture v2", SLL2_LENGTH, type, Field.group(
                "Link layer: Linux cooked capture v2", 0, SLL2_LENGTH, etherTypeText(type), children));
    }

    private static LinkHeader bsdLoopback(byte[] frame) {
        Bytes.check(frame, 0, NULL_LENGTH);
        // The family is in the capturing machine's byte order; a small number read either way is the right one.
        long family = Bytes.u32le(frame, 0);
        if (family > 0xffff) {
            family = Bytes.u32(frame, 0);
        }
        int type = family == AF_INET ? ETHERTYPE_IPV4 : AF_INET6.contains(family) ? ETHERTYPE_IPV6 : -1;
        return new LinkHeader("BSD loopback", NULL_LENGTH, type, Field.group("Link layer: BSD loopback", 0,
                NULL_LENGTH, "family " + family, List.of(Field.of("Family", 0, NULL_LENGTH, family
                        + (type == ETHERTYPE_IPV4 ? " (IPv4)" : type == ETHERTYPE_IPV6 ? " (IPv6)" : "")))));
    }

    private static LinkHeader raw(byte[] frame) {
        int version = Bytes.u8(frame, 0) >> 4;
        int type = version == 4 ? ETHERTYPE_IPV4 : version == 6 ? ETHERTYPE_IPV6 : -1;
        return new LinkHeader("Raw IP", 0, type, Field.group("Link layer: none (raw IP)", 0, 0,
                "the frame begins with the IP header", new ArrayList<>()));
    }

    static String etherTypeText(int type) {
        String name = switch (type) {
            case ETHERTYPE_IPV4 -> "IPv4";
            case ETHERTYPE_IPV6 -> "IPv6";
            case 0x0806 -> "ARP";
            default -> "unknown";
        };
        return String.format("%s (0x%04x)", name, type);
    }

    private static String zeros(String address) {
        return address.equals("00:00:00:00:00:00") ? " (loopback: no hardware, no address)" : "";
    }

    private static String packetType(int type) {
        return type + switch (type) {
            case 0 -> " (unicast to us)";
            case 1 -> " (broadcast)";
            case 2 -> " (multicast)";
            case 3 -> " (unicast to another host)";
            case 4 -> " (sent by us)";
            default -> "";
        };
    }

    private static String arphrd(int type) {
        return type + switch (type) {
            case 1 -> " (Ethernet)";
            case 772 -> " (loopback)";
            case 65534 -> " (none)";
            default -> "";
        };
    }
}
