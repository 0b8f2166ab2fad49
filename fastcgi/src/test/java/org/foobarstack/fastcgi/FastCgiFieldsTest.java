package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.foobarstack.trace.Field;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The field trees a trace shows for FastCGI records: offsets and values checked against real bytes. */
class FastCgiFieldsTest {

    private static Field named(List<Field> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no field " + name + " in " + fields));
    }

    private static void assertField(Field field, int offset, int length, String valueStart) {
        assertThat(field.offset()).as(field.name() + " offset").isEqualTo(offset);
        assertThat(field.length()).as(field.name() + " length").isEqualTo(length);
        assertThat(field.value()).as(field.name() + " value").startsWith(valueStart);
    }

    @Test
    void theHeaderOfTheNginxBeginRequestHasItsSixFieldsAtOffsetsZeroToSeven() throws Exception {
        List<Field> record = FastCgiFields.record(FastCgiCodecTest.nginxCapture());

        Field header = named(record, "Header");
        assertField(header, 0, 8, "BEGIN_REQUEST, request 1, 8 content bytes, 0 padding bytes");
        List<Field> h = header.children();
        assertField(named(h, "Version"), 0, 1, "1 (FCGI_VERSION_1)");
        assertField(named(h, "Type"), 1, 1, "BEGIN_REQUEST (1)");
        assertField(named(h, "Request ID"), 2, 2, "1");
        assertField(named(h, "Content length"), 4, 2, "8");
        assertField(named(h, "Padding length"), 6, 1, "0");
        assertField(named(h, "Reserved"), 7, 1, "0");
        assertField(named(record, "Role"), 8, 2, "RESPONDER (1)");
        Field flags = named(record, "Flags");
        assertField(flags, 10, 1, "0x00");
        assertThat(flags.children().get(0).value()).startsWith(".... ...0 = FCGI_KEEP_CONN: the application closes");
        assertField(named(record, "Reserved"), 11, 5, "5 bytes");
    }

    @Test
    void theNginxParamsRecordShowsEachPairWithItsLengthsAndOffsets() throws Exception {
        List<Field> records = FastCgiFields.records(FastCgiCodecTest.nginxCapture());
        // BEGIN_REQUEST, PARAMS, empty PARAMS, STDIN, empty STDIN
        assertThat(records).extracting(Field::name)
                .containsExactly("Record 1", "Record 2", "Record 3", "Record 4", "Record 5");
        assertField(records.get(1), 0x10, 8 + 537 + 7, "PARAMS, request 1, 537 content bytes");
        assertField(records.get(2), 0x238, 8, "PARAMS, request 1, 0 content bytes");
        assertField(records.get(3), 0x240, 8 + 28 + 4, "STDIN, request 1, 28 content bytes");

        List<Field> params = records.get(1).children();
        assertField(named(named(params, "Header").children(), "Content length"), 0x14, 2, "537");
        assertField(named(named(params, "Header").children(), "Padding length"), 0x16, 1, "7");
        Field pairs = named(params, "Name-value pairs");
        assertField(pairs, 0x18, 537, "");
        // the README's byte-by-byte walk: 0018 "0c 00 QUERY_STRING", 0026 "0e 04 REQUEST_METHOD POST"
        Field query = named(pairs.children(), "QUERY_STRING");
        assertField(query, 0x18, 14, "");
        assertField(named(query.children(), "Name length"), 0x18, 1, "12 (1 byte, top bit clear");
        assertField(named(query.children(), "Value length"), 0x19, 1, "0 (1 byte");
        assertField(named(query.children(), "Name"), 0x1a, 12, "QUERY_STRING");
        Field method = named(pairs.children(), "REQUEST_METHOD");
        assertField(method, 0x26, 2 + 14 + 4, "POST");
        assertField(named(method.children(), "Value"), 0x36, 4, "POST");
        assertField(named(pairs.children(), "SCRIPT_NAME"), 0x6a, 2 + 11 + 13, "/api/messages");
        assertField(named(params, "Padding"), 0x231, 7, "7 bytes");

        Field body = named(records.get(3).children(), "Content");
        assertField(body, 0x248, 28, "28 bytes: {\"author\":\"ada\",\"body\":\"hi\"}");
    }

    @Test
    void endRequestAsEncodedShowsAppStatusAndProtocolStatus() {
        byte[] wire = encode(FastCgiRecords.endRequest(ByteBufAllocator.DEFAULT, 3, 0, ProtocolStatus.OVERLOADED));
        List<Field> record = FastCgiFields.record(wire);
        assertField(named(named(record, "Header").children(), "Type"), 1, 1, "END_REQUEST (3)");
        assertField(named(named(record, "Header").children(), "Request ID"), 2, 2, "3");
        assertField(named(record, "App status"), 8, 4, "0");
        assertField(named(record, "Protocol status"), 12, 1, "OVERLOADED (2)");
    }

    @Test
    void aPairSplitBetweenTwoRecordsSpansTheSecondHeaderAndFourByteLengthsAreNamed() {
        // a 300-byte value needs a 4-byte length (top bit set); cut the stream after 10 content bytes
        Map<String, String> params = new LinkedHashMap<>();
        params.put("REQUEST_METHOD", "GET");
        params.put("HTTP_COOKIE", "c".repeat(300));
        ByteBuf joined = Unpooled.buffer();
        NameValuePairs.writeAll(params, joined);
        int total = joined.readableBytes();
        List<RecordHeader> headers = List.of(RecordHeader.of(RecordType.PARAMS, 1, 10),
                RecordHeader.of(RecordType.PARAMS, 1, total - 10), RecordHeader.of(RecordType.PARAMS, 1, 0));

        List<Field> fields = FastCgiFields.stream(headers, joined);

        assertThat(fields).extracting(Field::name)
                .containsExactly("Record 1", "Record 2", "Record 3", "Name-value pairs");
        // record 1: 8 header + 10 content + 6 padding = 24 bytes; record 2 starts at 24
        assertField(fields.get(1), 24, headers.get(1).recordLength(), "PARAMS, request 1, " + (total - 10));
        Field pairs = fields.get(3);
        Field method = named(pairs.children(), "REQUEST_METHOD");
        // content bytes 0..18 (2 lengths + 14 + 3): bytes 0..9 in record 1 at wire 8..17, the rest at wire 32..
        assertThat(method.offset()).isEqualTo(8);
        assertThat(method.length()).isEqualTo((32 + 19 - 10) - 8);
        Field cookie = named(pairs.children(), "HTTP_COOKIE");
        assertField(named(cookie.children(), "Name length"), 32 + 19 - 10, 1, "11 (1 byte");
        assertField(named(cookie.children(), "Value length"), 32 + 20 - 10, 4, "300 (4 bytes, top bit set)");
        assertThat(named(cookie.children(), "Value").length()).isEqualTo(300);
    }

    @Test
    void aStdoutStreamIsShownAsACgiResponse() {
        byte[] cgi = "Status: 201 Created\r\nContent-Type: application/json\r\n\r\n{\"id\":1}"
                .getBytes(StandardCharsets.US_ASCII);
        List<RecordHeader> headers = List.of(RecordHeader.of(RecordType.STDOUT, 1, cgi.length),
                RecordHeader.of(RecordType.STDOUT, 1, 0));
        List<Field> fields = FastCgiFields.stream(headers, Unpooled.wrappedBuffer(cgi));
        Field response = named(fields, "CGI response");
        assertField(response, 8, cgi.length, cgi.length + " bytes");
        assertField(named(response.children(), "Status"), 8, 21, "201 Created");
        assertField(named(response.children(), "Content-Type"), 8 + 21, 32, "application/json");
        assertField(named(response.children(), "Body"), 8 + cgi.length - 8, 8, "8 bytes: {\"id\":1}");
    }

    @Test
    void bytesThatAreNotAWholeRecordEndWithMalformedInsteadOfThrowing() {
        byte[] wire = {1, 4, 0, 1, 0, 20, 0, 0, 'a', 'b'};
        List<Field> fields = FastCgiFields.records(wire);
        assertThat(fields).hasSize(1);
        assertField(fields.get(0), 0, 10, "record header announces 20 content + 0 padding bytes, only 2 follow");

        ByteBuf broken = Unpooled.wrappedBuffer(new byte[] {12, 3, 'A'});
        List<Field> pairs = FastCgiFields.nameValuePairs(broken);
        assertThat(pairs).extracting(Field::name).containsExactly("Malformed");
        assertThat(pairs.get(0).value()).contains("a pair announces 12+3 bytes, 1 remain");
    }

    @Test
    void aLongStreamShowsItsFirstRecordsAndItsLast() {
        List<RecordHeader> headers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            headers.add(RecordHeader.of(RecordType.STDIN, 1, 8));
        }
        headers.add(RecordHeader.of(RecordType.STDIN, 1, 0));
        List<Field> fields = FastCgiFields.stream(headers, Unpooled.wrappedBuffer(new byte[40 * 8]));
        assertThat(fields.stream().filter(f -> f.name().startsWith("Record"))).hasSize(FastCgiFields.MAX_RECORDS_SHOWN);
        assertThat(named(fields, "More records").value()).startsWith("33 records not shown");
        assertField(named(fields, "Record 41"), 40 * 16, 8, "STDIN, request 1, 0 content bytes");
        assertField(named(fields, "Stream content"), 8, 40 * 16 - 8, "320 bytes");
    }

    private static byte[] encode(FastCgiRecord record) {
        EmbeddedChannel channel = new EmbeddedChannel(new FastCgiRecordEncoder());
        channel.writeOutbound(record);
        ByteBuf out = Unpooled.buffer();
        for (Object part; (part = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) part;
            out.writeBytes(b);
            b.release();
        }
        return ByteBufUtil.getBytes(out);
    }
}
