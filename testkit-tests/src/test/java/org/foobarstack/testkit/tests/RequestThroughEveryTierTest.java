package org.foobarstack.testkit.tests;

import org.foobarstack.testkit.FoobarStackUnderTest;
import org.foobarstack.testkit.RecordedDnsQuestion;
import org.foobarstack.testkit.RecordedFastCgiRequest;
import org.foobarstack.testkit.RecordedHttpRequest;
import org.foobarstack.testkit.RecordedSql;
import org.foobarstack.testkit.TestStack;
import org.foobarstack.trace.DnsTraceOption;
import org.foobarstack.trace.TraceContext;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simple design, started once for the class: a real DNS query and a real HTTP request go in over sockets,
 * and each tier's recording shows what that tier received, all under the one trace id the client chose.
 */
class RequestThroughEveryTierTest {

    @FoobarStackUnderTest("simple")
    static TestStack stack;

    @Test
    void aPostIsRecordedAtTheWebServerTheAppServerAndTheDatabase_inThatOrder_underOneTraceId() throws Exception {
        TraceContext trace = TraceContext.fresh();
        String body = "{\"author\":\"ada\",\"body\":\"recorded at every tier\"}";

        RawHttp response = RawHttp.send("POST", stack.url("/api/messages"),
                Map.of("Content-Type", "application/json", "traceparent", trace.toHeader()), body);

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.headers().get("x-trace-id")).as("the stack kept the client's trace").isEqualTo(trace.traceId());

        RecordedHttpRequest http = stack.httpRequests().take(r -> r.traceId().equals(trace.traceId()));
        assertThat(http.instance()).isEqualTo("web-1");
        assertThat(http.method()).isEqualTo("POST");
        assertThat(http.target()).isEqualTo("/api/messages");
        assertThat(http.header("content-type")).contains("application/json");
        assertThat(http.header("traceparent")).contains(trace.toHeader());

        RecordedFastCgiRequest fastCgi = stack.fastCgiRequests().take(r -> r.traceId().equals(trace.traceId()));
        assertThat(fastCgi.instance()).isEqualTo("app-1");
        assertThat(fastCgi.role()).isEqualTo("RESPONDER");
        assertThat(fastCgi.method()).isEqualTo("POST");
        assertThat(fastCgi.requestUri()).isEqualTo("/api/messages");
        assertThat(fastCgi.param("CONTENT_TYPE")).contains("application/json");
        assertThat(fastCgi.stdin()).isEqualTo(body);
        assertThat(fastCgi.records()).extracting(r -> r.substring(0, r.indexOf(' ')))
                .containsExactly("BEGIN_REQUEST", "PARAMS", "STDIN");

        RecordedSql insert = stack.sqlStatements().take(s -> s.traceId().equals(trace.traceId()));
        assertThat(insert.statement()).startsWith("INSERT INTO MESSAGES");
        assertThat(insert.parameters()).contains("'ada' (VARCHAR)", "'recorded at every tier' (VARCHAR)");
        assertThat(insert.database()).isEqualTo("db-1");
        assertThat(insert.rows()).isEqualTo(1);

        assertThat(http.startNanos()).as("the web server received it first")
                .isLessThanOrEqualTo(fastCgi.startNanos());
        assertThat(fastCgi.startNanos()).as("then the app server, which then wrote to the database")
                .isLessThanOrEqualTo(insert.startNanos());

        try (Connection db = stack.database().connect();
             PreparedStatement select = db.prepareStatement("SELECT COUNT(*) FROM MESSAGES WHERE BODY = ?")) {
            select.setString(1, "recorded at every tier");
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                assertThat(rows.getInt(1)).as("the row is in the primary, read over JDBC").isEqualTo(1);
            }
        }
    }

    @Test
    void aDnsQueryCarryingTheTraceJoinsIt_andOneWithoutGetsATraceOfItsOwn() throws Exception {
        TraceContext trace = TraceContext.fresh();
        SimpleResolver resolver = new SimpleResolver(stack.dnsAddress());
        resolver.setTimeout(Duration.ofSeconds(5));
        Message traced = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));
        DnsTraceOption.addTo(traced, trace, 1232);

        Message answer = resolver.send(traced);

        assertThat(answer.getSection(Section.ANSWER)).filteredOn(r -> r instanceof ARecord)
                .extracting(r -> ((ARecord) r).getAddress())
                .containsExactly(stack.front().getAddress());
        RecordedDnsQuestion question = stack.dnsQuestions().take(q -> q.traceId().equals(trace.traceId()));
        assertThat(question.instance()).isEqualTo("dns-1");
        assertThat(question.name()).isEqualTo("www.foobar.com.");
        assertThat(question.type()).isEqualTo("A");
        assertThat(question.transport()).isEqualTo("UDP");

        resolver.send(Message.newQuery(Record.newRecord(Name.fromString("foobar.com."), Type.NS, DClass.IN)));
        RecordedDnsQuestion plain = stack.dnsQuestions().take(q -> q.name().equals("foobar.com."));
        assertThat(plain.type()).isEqualTo("NS");
        assertThat(plain.traceId()).matches("[0-9a-f]{32}").isNotEqualTo(trace.traceId());
    }

    @Test
    void aStaticPageIsRecordedAtTheWebServerAndGoesNoFurther() throws Exception {
        TraceContext page = TraceContext.fresh();
        TraceContext api = TraceContext.fresh();

        RawHttp home = RawHttp.send("GET", stack.url("/"), Map.of("traceparent", page.toHeader()), null);
        RawHttp messages = RawHttp.send("GET", stack.url("/api/messages"), Map.of("traceparent", api.toHeader()),
                null);

        assertThat(home.status()).isEqualTo(200);
        assertThat(messages.status()).isEqualTo(200);
        RecordedHttpRequest request = stack.httpRequests().take(r -> r.traceId().equals(page.traceId()));
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.target()).isEqualTo("/");
        // the API request came second: had the page reached the app server, its request would come first
        RecordedFastCgiRequest first = stack.fastCgiRequests()
                .take(r -> r.traceId().equals(page.traceId()) || r.traceId().equals(api.traceId()));
        assertThat(first.traceId()).isEqualTo(api.traceId());
        assertThat(first.method()).isEqualTo("GET");
        assertThat(first.stdinLength()).isZero();
    }
}
