package org.foobarstack.vrrp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.vrrp.BalancerPair.PATIENCE;

/**
 * Datagrams that are not good advertisements reach the master over real UDP: each is ignored and counted by
 * reason (RFC 9568 §7.1), and the master keeps the address. The last one is a good advertisement of a higher
 * priority, which is obeyed: VRRP v3 has no authentication, so anyone who can reach the port can take the address.
 */
class BadDatagramTest {

    private final BalancerPair pair = new BalancerPair();

    @AfterEach
    void stop() {
        pair.close();
    }

    @Test
    void malformedDatagramsAreIgnoredAndCountedAndTheMasterKeepsTheAddress() throws Exception {
        VrrpInstance lb1 = pair.startLb1(pair.lb1Config().build());
        VrrpInstance lb2 = pair.startLb2(pair.lb2Config().build());
        pair.log.await("lb-1", State.MASTER, PATIENCE);
        pair.awaitAnswerFrom("lb-1");
        BalancerPair.awaitAdvertisements(lb2, 3);
        int mark = pair.log.mark();
        Inet4Address vip = (Inet4Address) pair.net.virtualAddress();

        try (DatagramSocket stranger = new DatagramSocket(pair.net.udpEndpoint(pair.net.address(66)))) {
            byte[] takeover = AdvertisementCodec.encode(new Advertisement(51, 254, 10, List.of(vip)));
            send(stranger, "hello".getBytes(StandardCharsets.US_ASCII));                 // too short
            send(stranger, withFirstByte(takeover, 0x21));                               // version 2
            send(stranger, withFirstByte(takeover, 0x32));                               // type 2
            send(stranger, flipLastBit(takeover));                                       // checksum
            send(stranger, AdvertisementCodec.encode(new Advertisement(52, 254, 10, List.of(vip))));   // VRID
            send(stranger, java.util.Arrays.copyOf(takeover, 16));                       // 4 bytes too many

            Eventually.until(PATIENCE, "six datagrams ignored", () -> lb1.counters().ignoredTotal() == 6,
                    () -> lb1.counters().toString());
            assertThat(lb1.counters().ignored()).containsOnly(
                    java.util.Map.entry(IgnoreReason.WRONG_LENGTH, 2L),
                    java.util.Map.entry(IgnoreReason.WRONG_VERSION, 1L),
                    java.util.Map.entry(IgnoreReason.WRONG_TYPE, 1L),
                    java.util.Map.entry(IgnoreReason.BAD_CHECKSUM, 1L),
                    java.util.Map.entry(IgnoreReason.WRONG_VRID, 1L));
            assertThat(pair.log.since(mark)).as("nothing changed").isEmpty();
            assertThat(lb1.state()).isEqualTo(State.MASTER);
            assertThat(pair.whoAnswers()).isEqualTo("lb-1");

            send(stranger, takeover);
            TransitionLog.Seen stepDown = pair.log.await(mark, "lb-1", State.BACKUP, PATIENCE);
            assertThat(stepDown.transition().reason()).isEqualTo("higher priority 254 from "
                    + pair.net.address(66).getHostAddress() + " (ours 150)");
        }
    }

    private void send(DatagramSocket from, byte[] datagram) throws Exception {
        InetSocketAddress to = pair.lb1Endpoint;
        from.send(new DatagramPacket(datagram, datagram.length, to));
    }

    /** A copy with another first byte (version and type), and a checksum that is right for it. */
    private static byte[] withFirstByte(byte[] advertisement, int firstByte) {
        byte[] copy = advertisement.clone();
        copy[0] = (byte) firstByte;
        copy[6] = 0;
        copy[7] = 0;
        int checksum = AdvertisementCodec.internetChecksum(copy);
        copy[6] = (byte) (checksum >>> 8);
        copy[7] = (byte) checksum;
        return copy;
    }

    private static byte[] flipLastBit(byte[] advertisement) {
        byte[] copy = advertisement.clone();
        copy[copy.length - 1] ^= 1;
        return copy;
    }
}
