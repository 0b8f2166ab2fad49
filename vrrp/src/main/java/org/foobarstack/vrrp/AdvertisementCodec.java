package org.foobarstack.vrrp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bytes of an advertisement, laid out as the VRRP v3 packet of RFC 9568 §5.1 (the part after the IP header):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |(rsvd) |     Max Adver Int     |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IPv4 Address(es)                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <ul>
 *   <li>Version 3 and Type 1 (ADVERTISEMENT) share the first byte (RFC 9568 §5.2.1, §5.2.2).</li>
 *   <li>Max Adver Int is 12 bits of centiseconds; the 4 reserved bits before it are sent as zero and ignored on
 *       receipt (RFC 9568 §5.2.6, §5.2.7).</li>
 *   <li>Checksum: the Internet checksum (RFC 1071), the one's complement of the one's complement sum of the
 *       16-bit words, computed with the checksum field at zero (RFC 9568 §5.2.8). A real router also sums a
 *       pseudo-header taken from the IP header where §5.2.8 asks for one; this datagram has no IP header of its
 *       own, so no pseudo-header is included here.</li>
 *   <li>The addresses: 4 bytes per IPv4 address, as many as Count IPvX Addr says. This emulation carries IPv4
 *       only (RFC 9568 also defines the IPv6 form, 16 bytes per address).</li>
 * </ul>
 *
 * <p>A 1-address advertisement is therefore 12 bytes. Decoding checks what RFC 9568 §7.1 asks a receiver to
 * check, in that order, and says precisely what was wrong.
 */
public final class AdvertisementCodec {

    /** The version field: VRRP v3. */
    public static final int VERSION = 3;
    /** The type field: ADVERTISEMENT, the only type there is. */
    public static final int TYPE_ADVERTISEMENT = 1;
    /** Version, type, VRID, priority, count, reserved bits, interval and checksum. */
    public static final int HEADER_BYTES = 8;
    /** Bytes per IPv4 address. */
    public static final int IPV4_ADDRESS_BYTES = 4;

    private AdvertisementCodec() {
    }

    /** The datagram for {@code advertisement}, checksum included. */
    public static byte[] encode(Advertisement advertisement) {
        List<Inet4Address> addresses = advertisement.addresses();
        byte[] bytes = new byte[HEADER_BYTES + IPV4_ADDRESS_BYTES * addresses.size()];
        bytes[0] = (byte) (VERSION << 4 | TYPE_ADVERTISEMENT);
        bytes[1] = (byte) advertisement.virtualRouterId();
        bytes[2] = (byte) advertisement.priority();
        bytes[3] = (byte) addresses.size();
        int interval = advertisement.maxAdvertIntervalCentiseconds();   // the 4 reserved bits above it stay 0
        bytes[4] = (byte) (interval >>> 8);
        bytes[5] = (byte) interval;
        // bytes 6 and 7, the checksum, are 0 while it is computed
        for (int i = 0; i < addresses.size(); i++) {
            System.arraycopy(addresses.get(i).getAddress(), 0, bytes, HEADER_BYTES + IPV4_ADDRESS_BYTES * i,
                    IPV4_ADDRESS_BYTES);
        }
        int checksum = internetChecksum(bytes);
        bytes[6] = (byte) (checksum >>> 8);
        bytes[7] = (byte) checksum;
        return bytes;
    }

    /**
     * The advertisement in {@code datagram}.
     *
     * @throws MalformedAdvertisementException naming the first check of RFC 9568 §7.1 that failed
     */
    public static Advertisement decode(byte[] datagram) throws MalformedAdvertisementException {
        if (datagram.length < HEADER_BYTES) {
            throw new MalformedAdvertisementException(IgnoreReason.WRONG_LENGTH, datagram.length
                    + " bytes, shorter than the " + HEADER_BYTES + "-byte VRRP header");
        }
        int version = (datagram[0] & 0xff) >>> 4;
        if (version != VERSION) {
            throw new MalformedAdvertisementException(IgnoreReason.WRONG_VERSION,
                    "version " + version + ", expected " + VERSION + " (VRRP v3)");
        }
        int type = datagram[0] & 0x0f;
        if (type != TYPE_ADVERTISEMENT) {
            throw new MalformedAdvertisementException(IgnoreReason.WRONG_TYPE,
                    "type " + type + ", expected " + TYPE_ADVERTISEMENT + " (ADVERTISEMENT, the only type)");
        }
        int count = datagram[3] & 0xff;
        int expectedLength = HEADER_BYTES + IPV4_ADDRESS_BYTES * count;
        if (datagram.length != expectedLength) {
            throw new MalformedAdvertisementException(IgnoreReason.WRONG_LENGTH, datagram.length
                    + " bytes, but an advertisement with " + count + " IPv4 address" + (count == 1 ? "" : "es")
                    + " is " + expectedLength + " (" + HEADER_BYTES + " + " + IPV4_ADDRESS_BYTES + " per address)");
        }
        if (internetChecksum(datagram) != 0) {
            int received = (datagram[6] & 0xff) << 8 | (datagram[7] & 0xff);
            byte[] zeroed = datagram.clone();
            zeroed[6] = 0;
            zeroed[7] = 0;
            throw new MalformedAdvertisementException(IgnoreReason.BAD_CHECKSUM, String.format(Locale.ROOT,
                    "checksum 0x%04x, but the %d bytes add up to 0x%04x", received, datagram.length,
                    internetChecksum(zeroed)));
        }
        if (count == 0) {
            throw new MalformedAdvertisementException(IgnoreReason.WRONG_ADDRESSES,
                    "no address: Count IPvX Addr is 0, and an advertisement carries at least 1");
        }
        int interval = ((datagram[4] & 0x0f) << 8) | (datagram[5] & 0xff);
        if (interval == 0) {
            throw new MalformedAdvertisementException(IgnoreReason.BAD_INTERVAL,
                    "Max Adver Int is 0 centiseconds; a master advertises at least every centisecond");
        }
        List<Inet4Address> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] address = new byte[IPV4_ADDRESS_BYTES];
            System.arraycopy(datagram, HEADER_BYTES + IPV4_ADDRESS_BYTES * i, address, 0, IPV4_ADDRESS_BYTES);
            addresses.add(ipv4(address));
        }
        return new Advertisement(datagram[1] & 0xff, datagram[2] & 0xff, interval, addresses);
    }

    /**
     * The Internet checksum of RFC 1071: add the bytes as 16-bit big-endian words (a last odd byte padded with
     * zero), fold the carries back in, and complement. Over a packet whose checksum field is right, the result
     * is 0.
     */
    public static int internetChecksum(byte[] bytes) {
        long sum = 0;
        for (int i = 0; i + 1 < bytes.length; i += 2) {
            sum += (bytes[i] & 0xff) << 8 | (bytes[i + 1] & 0xff);
        }
        if (bytes.length % 2 == 1) {
            sum += (bytes[bytes.length - 1] & 0xff) << 8;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static Inet4Address ipv4(byte[] fourBytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(fourBytes);   // from bytes: no name is looked up
        } catch (UnknownHostException cannotHappenForFourBytes) {
            throw new IllegalStateException(cannotHappenForFourBytes);
        }
    }
}
