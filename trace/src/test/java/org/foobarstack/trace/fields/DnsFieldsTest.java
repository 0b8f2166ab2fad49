package org.foobarstack.trace.fields;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.foobarstack.trace.Field;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsFieldsTest {

    private static Message query() throws Exception {
        Message query = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));
        query.getHeader().setID(0x1234);
        return query;
    }

    private static byte[] answer(int rcode, boolean truncated) throws Exception {
        Message query = query();
        Message answer = new Message(query.getHeader().getID());
        answer.getHeader().setFlag(Flags.QR);
        answer.getHeader().setFlag(Flags.AA);
        answer.getHeader().setFlag(Flags.RD);
        if (truncated) {
            answer.getHeader().setFlag(Flags.TC);
        }
        answer.getHeader().setRcode(rcode);
        answer.addRecord(query.getQuestion(), Section.QUESTION);
        if (rcode == Rcode.NOERROR && !truncated) {
            answer.addRecord(new ARecord(Name.fromString("www.foobar.com."), DClass.IN, 3600,
                    InetAddress.getByAddress(new byte[] {127, 0, 0, 1})), Section.ANSWER);
        }
        return answer.toWire();
    }

    private static Field find(List<Field> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    private static byte[] slice(byte[] wire, Field field) {
        return Arrays.copyOfRange(wire, field.offset(), field.offset() + field.length());
    }

    @Test
    void theHeaderNamesEveryFlagBitOfAnAuthoritativeAnswer() throws Exception {
        List<Field> fields = DnsFields.of(answer(Rcode.NOERROR, false));

        Field header = find(fields, "Header");
        assertThat(header.offset()).isZero();
        assertThat(header.length()).isEqualTo(12);
        assertThat(header.child("Transaction ID").value()).isEqualTo("0x1234 (4660)");
        Field flags = header.child("Flags");
        assertThat(flags.offset()).isEqualTo(2);
        assertThat(flags.value()).isEqualTo("0x8500 Standard query response, NOERROR");
        assertThat(flags.children()).extracting(Field::name).containsExactly("Response", "Opcode", "Authoritative",
                "Truncated", "Recursion desired", "Recursion available", "Z", "Authentic data", "Checking disabled",
                "Reply code");
        assertThat(flags.child("Response").value()).isEqualTo("1... .... .... .... = Response: Message is a response");
        assertThat(flags.child("Authoritative").value()).startsWith(".... .1.. .... .... = Authoritative: Server is");
        assertThat(flags.child("Truncated").value()).startsWith(".... ..0.");
        assertThat(flags.child("Reply code").value()).isEqualTo(".... .... .... 0000 = Reply code: NOERROR (0)");
        assertThat(flags.child("Checking disabled").value()).isEqualTo(".... .... ...0 .... = Checking disabled: "
                + "Not set: a validating resolver checks DNSSEC signatures before it answers (RFC 4035 §3.2.2)");
        assertThat(header.child("Answer RRs").value()).isEqualTo("1");
    }

    @Test
    void theCheckingDisabledBitOfAQuerySaysWhatItAsksFor() throws Exception {
        Message query = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));
        query.getHeader().setFlag(Flags.CD);
        Field flags = find(DnsFields.of(query.toWire()), "Header").child("Flags");
        assertThat(flags.child("Checking disabled").value()).isEqualTo(".... .... ...1 .... = Checking disabled: "
                + "Set: the client checks DNSSEC itself, data a resolver has not validated is acceptable "
                + "(RFC 4035 §3.2.2)");
    }

    @Test
    void offsetsPointAtTheBytesOfEachPart() throws Exception {
        byte[] wire = answer(Rcode.NOERROR, false);
        List<Field> fields = DnsFields.of(wire);

        Field question = find(fields, "Queries").children().get(0);
        assertThat(question.name()).isEqualTo("www.foobar.com.: type A, class IN");
        Field qname = question.child("Name");
        assertThat(qname.offset()).isEqualTo(12);
        // 3www6foobar3com0: 16 bytes, RFC 1035 §3.1
        assertThat(qname.length()).isEqualTo(16);
        assertThat(slice(wire, qname)).startsWith(3, 'w', 'w', 'w', 6);

        Field record = find(fields, "Answers").children().get(0);
        assertThat(record.name()).isEqualTo("www.foobar.com.: type A, class IN, 127.0.0.1");
        // dnsjava compresses the owner name into a pointer to offset 12 (RFC 1035 §4.1.4)
        Field owner = record.child("Name");
        assertThat(owner.length()).isEqualTo(2);
        assertThat(slice(wire, owner)).containsExactly(0xc0, 12);
        assertThat(owner.value()).isEqualTo("www.foobar.com.");
        assertThat(record.child("Time to live").value()).isEqualTo("3600 seconds");
        Field address = record.child("Address");
        assertThat(address.length()).isEqualTo(4);
        assertThat(slice(wire, address)).containsExactly(127, 0, 0, 1);
        assertThat(address.value()).isEqualTo("127.0.0.1");
        assertThat(record.offset() + record.length()).isEqualTo(wire.length);
    }

    @Test
    void aTruncatedNxdomainAnswerShowsBothFacts() throws Exception {
        byte[] tc = answer(Rcode.NOERROR, true);
        byte[] nx = answer(Rcode.NXDOMAIN, false);

        assertThat(DnsFields.truncated(tc)).isTrue();
        assertThat(DnsFields.truncated(nx)).isFalse();
        assertThat(find(DnsFields.of(tc), "Header").child("Flags").child("Truncated").value())
                .startsWith(".... ..1. .... .... = Truncated: Message is truncated");
        assertThat(find(DnsFields.of(nx), "Header").child("Flags").child("Reply code").value())
                .isEqualTo(".... .... .... 0011 = Reply code: NXDOMAIN (3)");
    }

    @Test
    void aQueryHasRecursionDesiredAndNoAnswers() throws Exception {
        List<Field> fields = DnsFields.of(query());

        Field flags = find(fields, "Header").child("Flags");
        assertThat(flags.value()).isEqualTo("0x0100 Standard query");
        assertThat(flags.child("Recursion desired").value()).startsWith(".... ...1");
        assertThat(fields).extracting(Field::name).containsExactly("Header", "Queries");
    }

    @Test
    void brokenBytesAreDescribedNotThrown() throws Exception {
        byte[] wire = answer(Rcode.NOERROR, false);
        byte[] cut = Arrays.copyOf(wire, wire.length - 3);

        List<Field> fields = DnsFields.of(cut);
        Field answers = find(fields, "Answers");
        assertThat(answers.children().get(answers.children().size() - 1).name()).isEqualTo("Malformed");
        assertThat(DnsFields.of(new byte[5]).get(0).value()).contains("RFC 1035 §4.1.1");
    }

    @Test
    void bytesDnsjavaRefusesWithAnUncheckedExceptionAreDescribedNotThrown() {
        // an UPDATE whose one record (in the section a query calls Answers) has a TTL of 2^31: dnsjava throws
        // InvalidTTLException
        byte[] hugeTtl = java.util.HexFormat.of().parseHex("0000280000000001000000000000010001800000000000");
        List<Field> fields = DnsFields.of(hugeTtl);
        assertThat(fields).extracting(Field::name).contains("Header");
        Field record = find(fields, "Answers").children().get(0);
        assertThat(find(record.children(), "Time to live").value()).isEqualTo("2147483648 seconds");
    }

    @Test
    void aNameThatPointsBackwardsIntoTheHeaderIsMalformedWhereItStarts() {
        // question name 'x', then 'wco' and a pointer into the header, read as a label of 0x77 bytes
        byte[] wire = java.util.HexFormat.of().parseHex("00000178047763"
                + "6fff0b0001c00477636f00000001c00c00010001");
        List<Field> fields = DnsFields.of(wire);
        Field queries = fields.get(1);
        assertThat(queries.offset()).isEqualTo(12);
        assertThat(queries.length()).isNotNegative();
        Field malformed = queries.children().get(queries.children().size() - 1);
        assertThat(malformed.name()).isEqualTo("Malformed");
        assertThat(malformed.offset()).isGreaterThanOrEqualTo(12);
    }
}
