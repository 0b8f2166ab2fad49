package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Opcodes other than QUERY get an answer decided by the 12-byte header alone: NOTIMP for the ones this server does
 * not implement (RFC 8906 §3.1.4), UPDATE included (RFC 2136 §2.2), REFUSED for NOTIFY (RFC 1996: this server is
 * the secondary of no zone). The answer is the header only: the ID and opcode echoed, QR set, every other flag
 * clear, all four counts 0. Checked on the bytes through {@link QueryProcessor}, then over UDP and TCP to a started
 * server.
 */
class OpcodeAnswersTest {

    private static final InetSocketAddress CLIENT = AnswerCacheTest.CLIENT;
    /** Byte 2 with every bit but QR and the opcode set: AA, TC, RD. Byte 3 with RA, Z, AD, CD and rcode bits. */
    private static final int AA_TC_RD = 0x07;
    private static final int RA_Z_AD_CD_RCODE = 0xFF;

    static QueryProcessor processor;
    static DnsServer server;

    @BeforeAll
    static void start() {
        processor = AnswerCacheTest.processor(new AtomicReference<>(
                AnswerCacheTest.catalog(ZoneLoader.directorySources(LabZone.directory()))));
        server = LabZone.start(LabZone.directory());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A header with {@code opcode}, every flag set, QDCOUNT 1, then {@code body}. */
    static byte[] query(int id, int opcode, byte[] body) {
        byte[] wire = new byte[12 + body.length];
        wire[0] = (byte) (id >>> 8);
        wire[1] = (byte) id;
        wire[2] = (byte) ((opcode << 3) | AA_TC_RD);
        wire[3] = (byte) RA_Z_AD_CD_RCODE;
        wire[5] = 1;
        System.arraycopy(body, 0, wire, 12, body.length);
        return wire;
    }

    /** The one reply the header alone decides: ID, QR and opcode, nothing else but the rcode. */
    static byte[] headerOnlyReply(int id, int opcode, int rcode) {
        return new byte[] {(byte) (id >>> 8), (byte) id, (byte) (0x80 | (opcode << 3)), (byte) rcode,
            0, 0, 0, 0, 0, 0, 0, 0};
    }

    /** Bytes that are no DNS question: a label length running far past the end. */
    static byte[] garbage() {
        byte[] body = new byte[29];
        new Random(19).nextBytes(body);
        body[0] = 63;
        return body;
    }

    /** A well-formed question body: foobar.com SOA IN. */
    static byte[] soaQuestion() {
        byte[] wire = DnsClient.query("foobar.com", Type.SOA).toWire();
        return Arrays.copyOfRange(wire, 12, wire.length);
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {Opcode.IQUERY, Opcode.STATUS, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
    void anUnknownOpcodeIsNotimpFromTheHeaderAlone(int opcode) {
        for (byte[] body : List.of(soaQuestion(), garbage(), new byte[0])) {
            for (Transport transport : Transport.values()) {
                List<byte[]> replies = processor.process(query(0xBEEF, opcode, body), CLIENT, transport);
                assertThat(replies).hasSize(1);
                assertThat(replies.get(0)).isEqualTo(headerOnlyReply(0xBEEF, opcode, Rcode.NOTIMP));
            }
        }
    }

    @Test
    void updateIsNotimpFromTheHeaderAlone() {
        for (byte[] body : List.of(soaQuestion(), garbage())) {
            assertThat(processor.process(query(0x0005, Opcode.UPDATE, body), CLIENT, Transport.UDP))
                    .containsExactly(headerOnlyReply(0x0005, Opcode.UPDATE, Rcode.NOTIMP));
        }
    }

    @Test
    void notifyIsRefusedFromTheHeaderAlone() {
        // for our own zone, for a name outside it, and for a body that does not parse: the same REFUSED
        byte[] outside = DnsClient.query("example.org", Type.SOA).toWire();
        for (byte[] body : List.of(soaQuestion(), Arrays.copyOfRange(outside, 12, outside.length), garbage())) {
            for (Transport transport : Transport.values()) {
                assertThat(processor.process(query(0x1996, Opcode.NOTIFY, body), CLIENT, transport))
                        .containsExactly(headerOnlyReply(0x1996, Opcode.NOTIFY, Rcode.REFUSED));
            }
        }
    }

    @Test
    void aNotifyIsNeverAnsweredFromTheCache() {
        byte[] notify = query(7, Opcode.NOTIFY, soaQuestion());
        processor.process(notify, CLIENT, Transport.UDP);
        assertThat(processor.replyFromCache(io.netty.buffer.Unpooled.wrappedBuffer(notify), CLIENT, Transport.UDP,
                io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 0)).isNull();
        assertThat(processor.process(notify, CLIENT, Transport.UDP))
                .containsExactly(headerOnlyReply(7, Opcode.NOTIFY, Rcode.REFUSED));
    }

    @Test
    void aQueryKeepsItsRdInAFormerr() {
        // the contrast: opcode QUERY with a body that does not parse is FORMERR, and RD is copied (RFC 1035 §4.1.1)
        byte[] reply = processor.process(query(0x0BAD, Opcode.QUERY, garbage()), CLIENT, Transport.UDP).get(0);
        assertThat(reply).hasSize(12);
        assertThat(reply[2] & 0xFF).as("QR, opcode QUERY, RD").isEqualTo(0x81);
        assertThat(reply[3] & 0xFF).as("RA, Z, AD, CD clear, rcode FORMERR").isEqualTo(Rcode.FORMERR);
    }

    // ------------------------------------------------------------------ over sockets

    @Test
    void overUdpEachOpcodeGetsItsHeaderOnlyAnswerAndTheServerGoesOnAnswering() throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(DnsClient.TIMEOUT_MILLIS);
            assertThat(exchange(socket, query(0x0F0F, 15, garbage())))
                    .isEqualTo(headerOnlyReply(0x0F0F, 15, Rcode.NOTIMP));
            assertThat(exchange(socket, query(0x0404, Opcode.NOTIFY, soaQuestion())))
                    .isEqualTo(headerOnlyReply(0x0404, Opcode.NOTIFY, Rcode.REFUSED));
            assertThat(exchange(socket, query(0x0505, Opcode.UPDATE, soaQuestion())))
                    .isEqualTo(headerOnlyReply(0x0505, Opcode.UPDATE, Rcode.NOTIMP));
            assertThat(exchange(socket, query(0x0303, 3, new byte[0])))
                    .isEqualTo(headerOnlyReply(0x0303, 3, Rcode.NOTIMP));
            Message answer = new Message(exchange(socket, DnsClient.query("www.foobar.com", Type.A).toWire()));
            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answer.getHeader().getFlag(Flags.AA)).isTrue();
        }
    }

    @Test
    void overTcpNotifyIsRefusedToo() throws IOException {
        Message reply = DnsClient.tcp(server.udpAddress(), query(0x4444, Opcode.NOTIFY, soaQuestion())).get(0);
        assertThat(reply.toWire()).isEqualTo(headerOnlyReply(0x4444, Opcode.NOTIFY, Rcode.REFUSED));
    }

    private static byte[] exchange(DatagramSocket socket, byte[] query) throws IOException {
        socket.send(new DatagramPacket(query, query.length, server.udpAddress()));
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }
}
