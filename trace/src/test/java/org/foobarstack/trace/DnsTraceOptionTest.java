package org.foobarstack.trace;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DnsTraceOptionTest {

    @Test
    void aTraceContextSurvivesTheWireInsideAnEdnsOption() throws Exception {
        TraceContext context = TraceContext.fresh();
        Message query = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));
        DnsTraceOption.addTo(query, context, 1232);

        Message decoded = new Message(query.toWire());

        assertThat(decoded.getOPT().getPayloadSize()).isEqualTo(1232);
        assertThat(DnsTraceOption.from(decoded)).hasValueSatisfying(found ->
                assertThat(found.traceId()).isEqualTo(context.traceId()));
    }

    @Test
    void aQueryWithoutTheOptionOrWithAMalformedOneHasNoTrace() throws Exception {
        Message plain = Message.newQuery(Record.newRecord(Name.fromString("foobar.com."), Type.SOA, DClass.IN));
        assertThat(DnsTraceOption.from(plain)).isEmpty();

        Message malformed = Message.newQuery(Record.newRecord(Name.fromString("foobar.com."), Type.SOA, DClass.IN));
        malformed.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new GenericEDNSOption(DnsTraceOption.CODE,
                "00-not-a-trace".getBytes(StandardCharsets.US_ASCII)))), Section.ADDITIONAL);
        assertThat(DnsTraceOption.from(new Message(malformed.toWire()))).isEmpty();
    }

    @Test
    void aForwarderAddsTheOptionOnlyBesideAnOptRecordTheClientSent() throws Exception {
        TraceContext context = TraceContext.fresh();
        Message withEdns = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));
        withEdns.addRecord(new OPTRecord(4096, 0, 0, org.xbill.DNS.ExtendedFlags.DO, List.of(
                new GenericEDNSOption(12, new byte[8]))), Section.ADDITIONAL);   // padding, as browsers send

        assertThat(DnsTraceOption.addToExistingOpt(withEdns, context)).isTrue();
        Message decoded = new Message(withEdns.toWire());
        assertThat(decoded.getOPT().getPayloadSize()).isEqualTo(4096);
        assertThat(decoded.getOPT().getFlags() & org.xbill.DNS.ExtendedFlags.DO).isNotZero();
        assertThat(decoded.getOPT().getOptions(12)).hasSize(1);
        assertThat(DnsTraceOption.from(decoded)).hasValueSatisfying(found ->
                assertThat(found.traceId()).isEqualTo(context.traceId()));

        Message plain = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));
        assertThat(DnsTraceOption.addToExistingOpt(plain, context)).isFalse();
        assertThat(plain.getOPT()).isNull();
    }
}
