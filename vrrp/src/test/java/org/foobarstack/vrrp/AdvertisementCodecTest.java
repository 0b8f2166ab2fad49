package org.foobarstack.vrrp;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The advertisement's bytes (RFC 9568 §5.1), and every way decoding refuses a datagram. */
class AdvertisementCodecTest {

    private static final Inet4Address VIP = ipv4(127, 0, 0, 100);
    /** VRID 51, priority 150, every second (100 centiseconds), for 127.0.0.100. */
    private static final Advertisement LB_1 = new Advertisement(51, 150, 100, List.of(VIP));

    @Test
    void anAdvertisementIsTwelveBytesLaidOutAsRfc9568Says() {
        byte[] bytes = AdvertisementCodec.encode(LB_1);

        assertThat(bytes).containsExactly(
                0x31,                     // version 3, type 1 (ADVERTISEMENT)
                51,                       // Virtual Rtr ID
                (byte) 150,               // Priority
                1,                        // Count IPvX Addr
                0x00, 0x64,               // 4 reserved bits, then Max Adver Int: 100 centiseconds
                (byte) 0xb9, 0x02,        // Checksum
                127, 0, 0, 100);          // the IPv4 address
    }

    @Test
    void decodingGivesBackWhatWasEncoded() throws Exception {
        Advertisement two = new Advertisement(7, 0, 4095, List.of(VIP, ipv4(10, 0, 0, 1)));

        assertThat(AdvertisementCodec.decode(AdvertisementCodec.encode(LB_1))).isEqualTo(LB_1);
        assertThat(AdvertisementCodec.decode(AdvertisementCodec.encode(two))).isEqualTo(two);
        assertThat(LB_1.maxAdvertInterval()).hasMillis(1000);
    }

    @Test
    void theChecksumIsRfc1071sInternetChecksum() {
        // RFC 1071's own example: the words 0001 f203 f4f5 f6f7 add up to ddf2; the checksum is its complement
        byte[] example = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertThat(AdvertisementCodec.internetChecksum(example)).isEqualTo(0x220d);
        // over a packet that carries its checksum, the result is 0
        assertThat(AdvertisementCodec.internetChecksum(AdvertisementCodec.encode(LB_1))).isZero();
        // an odd byte at the end counts as the high byte of a last word
        assertThat(AdvertisementCodec.internetChecksum(new byte[] {0x01})).isEqualTo(0xfeff);
    }

    @Test
    void theReservedBitsAreIgnoredOnReceipt() throws Exception {
        byte[] bytes = AdvertisementCodec.encode(LB_1);
        bytes[4] |= (byte) 0xf0;

        assertThat(AdvertisementCodec.decode(withChecksum(bytes))).isEqualTo(LB_1);
    }

    @Test
    void aDatagramShorterThanTheHeaderIsRefused() {
        assertRefused(new byte[] {0x31, 51, (byte) 150, 1, 0, 100}, IgnoreReason.WRONG_LENGTH,
                "6 bytes, shorter than the 8-byte VRRP header");
    }

    @Test
    void anotherVersionIsRefused() {
        byte[] v2 = AdvertisementCodec.encode(LB_1);
        v2[0] = 0x21;
        assertRefused(withChecksum(v2), IgnoreReason.WRONG_VERSION, "version 2, expected 3 (VRRP v3)");
    }

    @Test
    void anotherTypeIsRefused() {
        byte[] type2 = AdvertisementCodec.encode(LB_1);
        type2[0] = 0x32;
        assertRefused(withChecksum(type2), IgnoreReason.WRONG_TYPE,
                "type 2, expected 1 (ADVERTISEMENT, the only type)");
    }

    @Test
    void aLengthThatDisagreesWithTheAddressCountIsRefused() {
        byte[] tooLong = java.util.Arrays.copyOf(AdvertisementCodec.encode(LB_1), 16);
        assertRefused(tooLong, IgnoreReason.WRONG_LENGTH,
                "16 bytes, but an advertisement with 1 IPv4 address is 12 (8 + 4 per address)");

        byte[] claimsTwo = AdvertisementCodec.encode(LB_1);
        claimsTwo[3] = 2;
        assertRefused(claimsTwo, IgnoreReason.WRONG_LENGTH,
                "12 bytes, but an advertisement with 2 IPv4 addresses is 16 (8 + 4 per address)");
    }

    @Test
    void aWrongChecksumIsRefusedWithBothSums() {
        byte[] bytes = AdvertisementCodec.encode(LB_1);
        bytes[11] = 101;   // 127.0.0.101, checksum left as it was
        assertRefused(bytes, IgnoreReason.BAD_CHECKSUM, "checksum 0xb902, but the 12 bytes add up to 0xb901");
    }

    @Test
    void noAddressOrAZeroIntervalIsRefused() {
        byte[] none = withChecksum(new byte[] {0x31, 51, (byte) 150, 0, 0, 100, 0, 0});
        assertRefused(none, IgnoreReason.WRONG_ADDRESSES,
                "no address: Count IPvX Addr is 0, and an advertisement carries at least 1");

        byte[] zero = AdvertisementCodec.encode(LB_1);
        zero[5] = 0;
        assertRefused(withChecksum(zero), IgnoreReason.BAD_INTERVAL,
                "Max Adver Int is 0 centiseconds; a master advertises at least every centisecond");
    }

    @Test
    void anAdvertisementOutsideTheFieldsRangesCannotBeMade() {
        assertThatThrownBy(() -> new Advertisement(0, 100, 100, List.of(VIP)))
                .hasMessage("virtual router id must be 1 to 255, was 0");
        assertThatThrownBy(() -> new Advertisement(51, 256, 100, List.of(VIP)))
                .hasMessage("priority must be 0 to 255, was 256");
        assertThatThrownBy(() -> new Advertisement(51, 100, 4096, List.of(VIP)))
                .hasMessage("advertisement interval must be 1 to 4095 centiseconds, was 4096");
        assertThatThrownBy(() -> new Advertisement(51, 100, 100, List.of()))
                .hasMessage("an advertisement carries 1 to 255 addresses, not 0");
    }

    private static void assertRefused(byte[] datagram, IgnoreReason reason, String message) {
        assertThatThrownBy(() -> AdvertisementCodec.decode(datagram))
                .isInstanceOfSatisfying(MalformedAdvertisementException.class,
                        e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessage(message);
    }

    /** {@code bytes} with the checksum field set right for the rest. */
    private static byte[] withChecksum(byte[] bytes) {
        bytes[6] = 0;
        bytes[7] = 0;
        int checksum = AdvertisementCodec.internetChecksum(bytes);
        bytes[6] = (byte) (checksum >>> 8);
        bytes[7] = (byte) checksum;
        return bytes;
    }

    private static Inet4Address ipv4(int a, int b, int c, int d) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
