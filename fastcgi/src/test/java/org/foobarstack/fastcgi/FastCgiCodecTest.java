package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FastCgiCodecTest {

    /** A record as the tests compare it: type, id and content bytes. */
    record Rec(int type, int id, String hexContent) {
        static Rec of(FastCgiRecord r) {
            try {
                return new Rec(r.typeCode(), r.requestId(), ByteBufUtil.hexDump(r.content()));
            } finally {
                r.release();
            }
        }
    }

    private static byte[] hex(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s", ""));
    }

    private static List<Rec> decode(byte[]... chunks) {
        EmbeddedChannel ch = new EmbeddedChannel(new FastCgiRecordDecoder());
        for (byte[] chunk : chunks) {
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        List<Rec> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(Rec.of((FastCgiRecord) o));
        }
        assertThat(ch.finish()).isFalse();
        return out;
    }

    private static byte[] encode(FastCgiRecord... records) {
        EmbeddedChannel ch = new EmbeddedChannel(new FastCgiRecordEncoder());
        for (FastCgiRecord r : records) {
            ch.writeOutbound(r);
        }
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    /** What nginx sends for GET /api/messages: one padded PARAMS record, the empty PARAMS, the empty STDIN. */
    private static final String NGINX_GET =
            "01 01 0001 0008 00 00  0001 00 0000000000"                       // BEGIN_REQUEST, RESPONDER, no keep-conn
          + "01 04 0001 002d 03 00"                                           // PARAMS, 45 bytes + 3 padding
          + "0e 03 52455155455354 5f4d4554484f44 474554"                     // REQUEST_METHOD=GET (14+3)
          + "0b 0d 5343524950545f4e414d45 2f6170692f6d65737361676573"        // SCRIPT_NAME=/api/messages (11+13)
          + "000000"                                                           // padding
          + "01 04 0001 0000 00 00"                                           // empty PARAMS: end of stream
          + "01 05 0001 0000 00 00";                                          // empty STDIN: no body

    @Test
    void decodesEveryRecordOfANginxRequest() {
        List<Rec> records = decode(hex(NGINX_GET));
        assertThat(records).extracting(Rec::type).containsExactly(1, 4, 4, 5);
        assertThat(records).extracting(Rec::id).containsOnly(1);
        assertThat(records.get(0).hexContent()).isEqualTo("0001000000000000");
        assertThat(records.get(2).hexContent()).isEmpty();
        Map<String, String> params = NameValuePairs.readMap(Unpooled.wrappedBuffer(hex(records.get(1).hexContent())));
        assertThat(params).containsExactly(Map.entry("REQUEST_METHOD", "GET"), Map.entry("SCRIPT_NAME", "/api/messages"));
    }

    /** The bytes nginx 1.22.1 sent for {@code curl --data-binary '{"author":"ada","body":"hi"}' .../api/messages}. */
    static byte[] nginxCapture() throws java.io.IOException {
        try (var in = FastCgiCodecTest.class.getResourceAsStream("/captures/nginx-1.22.1-post-api-messages.hex")) {
            return hex(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void decodesARequestCapturedFromNginx() throws Exception {
        byte[] capture = nginxCapture();
        List<Rec> records = decode(capture);
        assertThat(records).extracting(Rec::type).containsExactly(1, 4, 4, 5, 5);
        assertThat(records).extracting(Rec::id).containsOnly(1);
        // nginx: role RESPONDER, FCGI_KEEP_CONN clear (fastcgi_keep_conn off is its default)
        BeginRequestBody begin = BeginRequestBody.read(Unpooled.wrappedBuffer(hex(records.get(0).hexContent())));
        assertThat(begin.role()).contains(Role.RESPONDER);
        assertThat(begin.keepConnection()).isFalse();
        Map<String, String> params = NameValuePairs.readMap(Unpooled.wrappedBuffer(hex(records.get(1).hexContent())));
        assertThat(params).containsEntry("REQUEST_METHOD", "POST").containsEntry("SCRIPT_NAME", "/api/messages")
                .containsEntry("CONTENT_TYPE", "application/json").containsEntry("CONTENT_LENGTH", "28")
                .containsEntry("SERVER_SOFTWARE", "nginx/1.22.1").containsEntry("REMOTE_USER", "");
        assertThat(new String(hex(records.get(3).hexContent()), StandardCharsets.UTF_8))
                .isEqualTo("{\"author\":\"ada\",\"body\":\"hi\"}");
        // every split point of the captured bytes gives the same records
        for (int split = 0; split <= capture.length; split++) {
            assertThat(decode(java.util.Arrays.copyOfRange(capture, 0, split),
                    java.util.Arrays.copyOfRange(capture, split, capture.length))).isEqualTo(records);
        }
    }

    @Test
    void aRequestSplitAtEveryByteBoundaryDecodesTheSame() {
        byte[] all = hex(NGINX_GET);
        List<Rec> whole = decode(all);
        for (int split = 0; split <= all.length; split++) {
            byte[] first = java.util.Arrays.copyOfRange(all, 0, split);
            byte[] second = java.util.Arrays.copyOfRange(all, split, all.length);
            assertThat(decode(first, second)).as("split at byte %d", split).isEqualTo(whole);
        }
    }

    @Test
    void aRequestDeliveredOneByteAtATimeDecodesTheSame() {
        byte[] all = hex(NGINX_GET);
        byte[][] single = new byte[all.length][];
        for (int i = 0; i < all.length; i++) {
            single[i] = new byte[] {all[i]};
        }
        assertThat(decode(single)).isEqualTo(decode(all));
    }

    @Test
    void interleavedMultiplexedRequestsKeepTheirIds() {
        Map<String, String> p1 = Map.of("SCRIPT_NAME", "/one");
        Map<String, String> p2 = Map.of("SCRIPT_NAME", "/two");
        List<FastCgiRecord> params1 = FastCgiRecords.params(Unpooled.buffer().alloc(), 1, p1);
        List<FastCgiRecord> params2 = FastCgiRecords.params(Unpooled.buffer().alloc(), 2, p2);
        byte[] bytes = encode(
                FastCgiRecords.beginRequest(Unpooled.buffer().alloc(), 1, Role.RESPONDER, true),
                FastCgiRecords.beginRequest(Unpooled.buffer().alloc(), 2, Role.RESPONDER, true),
                params2.get(0), params1.get(0), params1.get(1),
                new FastCgiRecord(RecordType.STDIN, 2, Unpooled.copiedBuffer("body-2", StandardCharsets.US_ASCII)),
                params2.get(1),
                FastCgiRecord.empty(RecordType.STDIN, 1),
                FastCgiRecord.empty(RecordType.STDIN, 2));
        List<Rec> records = decode(bytes);
        assertThat(records).extracting(r -> r.type() + "/" + r.id())
                .containsExactly("1/1", "1/2", "4/2", "4/1", "4/1", "5/2", "4/2", "5/1", "5/2");
        assertThat(new String(hex(records.get(5).hexContent()), StandardCharsets.US_ASCII)).isEqualTo("body-2");
        assertThat(NameValuePairs.readMap(Unpooled.wrappedBuffer(hex(records.get(2).hexContent())))).isEqualTo(p2);
    }

    @Test
    void encoderPadsToAMultipleOfEightAndWritesTheHeaderFields() {
        byte[] bytes = encode(new FastCgiRecord(RecordType.STDOUT, 0x0102,
                Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)));
        assertThat(ByteBufUtil.hexDump(bytes)).isEqualTo(
                "01" + "06" + "0102" + "0005" + "03" + "00" + "68656c6c6f" + "000000");
        assertThat(bytes.length % RecordHeader.ALIGNMENT).isZero();
    }

    @Test
    void everyRecordTypeRoundTrips() {
        var alloc = Unpooled.buffer().alloc();
        List<FastCgiRecord> sent = new ArrayList<>();
        sent.add(FastCgiRecords.beginRequest(alloc, 7, Role.FILTER, true));
        sent.add(FastCgiRecord.empty(RecordType.ABORT_REQUEST, 7));
        sent.add(FastCgiRecords.endRequest(alloc, 7, 0xFFFFFFFFL, ProtocolStatus.OVERLOADED));
        for (RecordType stream : List.of(RecordType.PARAMS, RecordType.STDIN, RecordType.STDOUT, RecordType.STDERR,
                RecordType.DATA)) {
            sent.add(new FastCgiRecord(stream, 7, Unpooled.copiedBuffer(stream.name(), StandardCharsets.US_ASCII)));
        }
        sent.add(FastCgiRecords.values(alloc, RecordType.GET_VALUES, Map.of(FastCgiRecords.FCGI_MPXS_CONNS, "")));
        sent.add(FastCgiRecords.values(alloc, RecordType.GET_VALUES_RESULT, Map.of(FastCgiRecords.FCGI_MPXS_CONNS, "1")));
        sent.add(FastCgiRecords.unknownType(alloc, 200));
        sent.add(new FastCgiRecord(42, 0, Unpooled.EMPTY_BUFFER)); // a type FastCGI 1.0 does not define
        List<Rec> expected = new ArrayList<>();
        for (FastCgiRecord r : sent) {
            expected.add(new Rec(r.typeCode(), r.requestId(), ByteBufUtil.hexDump(r.content())));
            r.retain();
        }
        List<Rec> decoded = decode(encode(sent.toArray(new FastCgiRecord[0])));
        sent.forEach(FastCgiRecord::release);
        assertThat(decoded).isEqualTo(expected);
        assertThat(decoded).extracting(Rec::type).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 42);

        BeginRequestBody begin = BeginRequestBody.read(Unpooled.wrappedBuffer(hex(decoded.get(0).hexContent())));
        assertThat(begin.role()).contains(Role.FILTER);
        assertThat(begin.keepConnection()).isTrue();
        EndRequestBody end = EndRequestBody.read(Unpooled.wrappedBuffer(hex(decoded.get(2).hexContent())));
        assertThat(end.appStatus()).isEqualTo(0xFFFFFFFFL);
        assertThat(end.protocolStatus()).contains(ProtocolStatus.OVERLOADED);
        assertThat(UnknownTypeBody.read(Unpooled.wrappedBuffer(hex(decoded.get(10).hexContent()))).type())
                .isEqualTo(200);
    }

    @Test
    void nameValuePairsUseOneByteLengthsBelow128AndFourBytesAbove() {
        ByteBuf out = Unpooled.buffer();
        NameValuePairs.write("A", "x".repeat(127), out);
        assertThat((int) out.getUnsignedByte(0)).isEqualTo(1);
        assertThat((int) out.getUnsignedByte(1)).isEqualTo(127);
        assertThat(out.readableBytes()).isEqualTo(2 + 1 + 127);
        out.clear();
        NameValuePairs.write("B", "y".repeat(128), out);
        assertThat(ByteBufUtil.hexDump(out, 0, 5)).isEqualTo("01" + "80000080");
        assertThat(out.readableBytes()).isEqualTo(1 + 4 + 1 + 128);
        out.clear();
        String longName = "N".repeat(300);
        NameValuePairs.write(longName, "", out);
        assertThat(ByteBufUtil.hexDump(out, 0, 5)).isEqualTo("8000012c" + "00");
        assertThat(NameValuePairs.encodedLength(longName, "")).isEqualTo(out.readableBytes());
        Map<String, String> back = NameValuePairs.readMap(out);
        assertThat(back).containsExactly(Map.entry(longName, ""));
        out.release();
    }

    @Test
    void nameValuePairsRoundTripInOrder() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("REQUEST_METHOD", "POST");
        params.put("EMPTY", "");
        params.put("HTTP_COOKIE", "c=" + "z".repeat(5000));
        params.put("LATIN1", "caf\u00e9");
        ByteBuf out = Unpooled.buffer();
        NameValuePairs.writeAll(params, out);
        assertThat(NameValuePairs.readMap(out)).containsExactlyEntriesOf(params);
        out.release();
    }

    @Test
    void aFourByteLengthHoldingASmallValueIsRead() {
        // "A" = "bc", the value's length 2 sent in four bytes (80 00 00 02), as some senders always do
        ByteBuf in = Unpooled.wrappedBuffer(hex("01 80000002 41 6263 01 00 5a"));
        assertThat(NameValuePairs.readAll(in)).containsExactly(
                new NameValuePairs.Pair("A", "bc"), new NameValuePairs.Pair("Z", ""));
    }

    @Test
    void aPairWhoseLengthsRunPastTheStreamIsRefused() {
        assertThatThrownBy(() -> NameValuePairs.readAll(Unpooled.wrappedBuffer(hex("05 05 414243"))))
                .isInstanceOf(FastCgiProtocolException.class)
                .hasMessageContaining("FastCGI §3.4")
                .extracting(e -> ((FastCgiProtocolException) e).violation())
                .isEqualTo(FastCgiProtocolException.Violation.MALFORMED_NAME_VALUE_PAIR);
        assertThatThrownBy(() -> NameValuePairs.readAll(Unpooled.wrappedBuffer(hex("80 00 01"))))
                .hasMessageContaining("four-byte length");
        assertThatThrownBy(() -> NameValuePairs.readAll(Unpooled.wrappedBuffer(hex("03"))))
                .hasMessageContaining("inside a length");
    }

    @Test
    void aWrongVersionStopsDecodingWithTheSection() {
        EmbeddedChannel ch = new EmbeddedChannel(new FastCgiRecordDecoder());
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(hex("02 01 0001 0008 00 00"))))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(FastCgiProtocolException.class)
                .hasMessageContaining("FastCGI §3.3")
                .hasMessageContaining("got version 2");
        ch.finishAndReleaseAll();
    }

    @Test
    void anHttpRequestSentToTheFastCgiPortIsAWrongVersion() {
        EmbeddedChannel ch = new EmbeddedChannel(new FastCgiRecordDecoder());
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII)))
                .hasMessageContaining("got version 71"); // 'G'
        ch.finishAndReleaseAll();
    }

    @Test
    void fixedBodiesOfTheWrongLengthAreMalformed() {
        assertThatThrownBy(() -> BeginRequestBody.read(Unpooled.wrappedBuffer(hex("0001 00"))))
                .isInstanceOf(FastCgiProtocolException.class).hasMessageContaining("FastCGI §5");
        assertThatThrownBy(() -> EndRequestBody.read(Unpooled.wrappedBuffer(hex("00"))))
                .isInstanceOf(FastCgiProtocolException.class);
        assertThatThrownBy(() -> UnknownTypeBody.read(Unpooled.EMPTY_BUFFER))
                .isInstanceOf(FastCgiProtocolException.class);
    }

    @Test
    void aLongStreamIsCutIntoRecordsOfAtMost65535Bytes() {
        byte[] data = new byte[70_000];
        List<FastCgiRecord> records = FastCgiRecords.stream(RecordType.STDOUT, 3, Unpooled.wrappedBuffer(data));
        assertThat(records).extracting(r -> r.content().readableBytes()).containsExactly(65_535, 4_465);
        records.forEach(FastCgiRecord::release);
        assertThatThrownBy(() -> new FastCgiRecord(RecordType.STDOUT, 1, Unpooled.wrappedBuffer(new byte[65_536])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
    }

    @Test
    void aMaximalRecordWithMaximalPaddingDecodes() {
        ByteBuf in = Unpooled.buffer();
        new RecordHeader(1, RecordType.STDIN.code(), 0xFFFF, 0xFFFF, 0xFF).write(in);
        in.writeZero(0xFFFF + 0xFF);
        in.writeBytes(hex("01 05 ffff 0000 00 00"));
        List<Rec> records = decode(ByteBufUtil.getBytes(in));
        assertThat(records).hasSize(2);
        assertThat(records.get(0).hexContent()).hasSize(2 * 0xFFFF);
        assertThat(records.get(1).id()).isEqualTo(0xFFFF);
    }

    @Test
    void aHeaderPrintsItsTypeByNameItsRequestAndItsLengths() {
        assertThat(RecordHeader.of(RecordType.PARAMS, 1, 412))
                .hasToString("PARAMS, request 1, 412 content bytes, 4 padding bytes");
        assertThat(new RecordHeader(RecordHeader.VERSION_1, 42, 0, 0, 0))
                .hasToString("type 42, request 0, 0 content bytes, 0 padding bytes");
        assertThat(new RecordHeader(2, RecordType.STDIN.code(), 3, 8, 0))
                .hasToString("STDIN, request 3, 8 content bytes, 0 padding bytes, version 2");
    }
}
