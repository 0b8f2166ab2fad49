package org.foobarstack.testkit;

import org.foobarstack.fastcgi.FastCgiFields;
import org.foobarstack.fastcgi.NameValuePairs;
import org.foobarstack.fastcgi.RecordHeader;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.fields.DnsFields;
import org.foobarstack.trace.fields.HttpHeadFields;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each record is read from the field tree its tier's own builder makes of real bytes: an HTTP head, a DNS query,
 * a FastCGI request's records, the app tier's SQL fields.
 */
class RecordsFromHopsTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void anHttpHead() {
        byte[] head = ("POST /api/messages?x=1 HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Type: application/json\r\n"
                + "X-Twice: a\r\nX-Twice: b\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        TraceRecorder web = new TraceRecorder("web", "web-1");
        Hop hop = web.hop(TRACE, Protocol.HTTP, Direction.RECEIVED).summary("POST /api/messages?x=1 HTTP/1.1")
                .peer("127.0.0.1:50412").fields(() -> HttpHeadFields.requestHead(head))
                .field(Field.info("Connection", "first request on this connection")).build();

        RecordedHttpRequest request = RecordedHttpRequest.of(hop).orElseThrow();

        assertThat(request.traceId()).isEqualTo(TRACE);
        assertThat(request.instance()).isEqualTo("web-1");
        assertThat(request.peer()).isEqualTo("127.0.0.1:50412");
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.target()).isEqualTo("/api/messages?x=1");
        assertThat(request.version()).isEqualTo("HTTP/1.1");
        assertThat(request.headers()).extracting(RecordedHttpRequest.Header::name)
                .as("the tier's own Connection note is not a header").containsExactly("Host", "Content-Type", "X-Twice",
                        "X-Twice");
        assertThat(request.header("content-type")).contains("application/json");
        assertThat(request.header("x-twice")).contains("a");
    }

    @Test
    void aRefusedHeadIsNoRequest() {
        Hop refused = new TraceRecorder("web", "web-1").hop(TRACE, Protocol.HTTP, Direction.RECEIVED)
                .summary("refused: obs-fold").field(Field.info("Refused", "obs-fold")).build();

        assertThat(RecordedHttpRequest.of(refused)).isEmpty();
    }

    @Test
    void aDnsQuestion() throws Exception {
        Message query = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.AAAA, DClass.IN));
        byte[] wire = query.toWire();
        Hop hop = new TraceRecorder("dns", "dns-1").hop(TRACE, Protocol.DNS, Direction.RECEIVED)
                .summary("query www.foobar.com. AAAA over TCP").peer("127.0.0.1:40000")
                .field(Field.info("Transport", "TCP, length-prefixed (RFC 1035 §4.2.2, RFC 7766)"))
                .fields(() -> DnsFields.of(wire)).build();

        RecordedDnsQuestion question = RecordedDnsQuestion.of(hop);

        assertThat(question).isEqualTo(new RecordedDnsQuestion(TRACE, "dns-1", "127.0.0.1:40000", "www.foobar.com.",
                "AAAA", "TCP", hop.startNanos()));
    }

    @Test
    void anSqlStatement() {
        Hop hop = new TraceRecorder("app", "app-1").hop(TRACE, Protocol.SQL, Direction.SENT)
                .summary("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?) -> 1 row")
                .field(Field.info("Statement", "INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)"))
                .field(Field.info("Database", "db-1 (primary), 127.0.150.11:1527"))
                .field(new Field("Parameters", Field.NO_OFFSET, 0, "2", List.of(
                        Field.info("?1", "'ada' (VARCHAR)"), Field.info("?2", "'hi' (VARCHAR)"))))
                .field(Field.info("Rows", "1")).build();

        RecordedSql sql = RecordedSql.of(hop);

        assertThat(sql.database()).isEqualTo("db-1 (primary)");
        assertThat(sql.statement()).isEqualTo("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)");
        assertThat(sql.parameters()).containsExactly("'ada' (VARCHAR)", "'hi' (VARCHAR)");
        assertThat(sql.rows()).isEqualTo(1);
    }

    @Test
    void aFastCgiRequestIsJoinedFromItsBeginParamsAndStdinHops() {
        TraceRecorder app = new TraceRecorder("app", "app-1");
        FastCgiAssembler assembler = new FastCgiAssembler();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("REQUEST_METHOD", "POST");
        params.put("REQUEST_URI", "/api/messages");
        byte[] pairs = NameValuePairs.encode(params);
        byte[] body = "{\"author\":\"ada\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(assembler.accept(app.hop(TRACE, Protocol.FASTCGI, Direction.RECEIVED)
                .summary("BEGIN_REQUEST id=3 role=RESPONDER keep-conn").peer("127.0.150.1:41000").build())).isEmpty();
        assertThat(assembler.accept(app.hop(TRACE, Protocol.FASTCGI, Direction.RECEIVED)
                .summary("PARAMS id=3, " + pairs.length + " bytes in 2 records, 2 params: POST /api/messages")
                .fields(FastCgiFields.streamLater(List.of(RecordHeader.of(RecordType.PARAMS, 3, pairs.length),
                        RecordHeader.of(RecordType.PARAMS, 3, 0)), pairs)).build())).isEmpty();
        RecordedFastCgiRequest request = assembler.accept(app.hop(TRACE, Protocol.FASTCGI, Direction.RECEIVED)
                .summary("STDIN id=3, " + body.length + " bytes in 2 records")
                .fields(FastCgiFields.streamLater(List.of(RecordHeader.of(RecordType.STDIN, 3, body.length),
                        RecordHeader.of(RecordType.STDIN, 3, 0)), body)).build()).orElseThrow();

        assertThat(request.requestId()).isEqualTo(3);
        assertThat(request.role()).isEqualTo("RESPONDER");
        assertThat(request.keepConnection()).isTrue();
        assertThat(request.peer()).isEqualTo("127.0.150.1:41000");
        assertThat(request.params()).containsExactlyEntriesOf(params);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.requestUri()).isEqualTo("/api/messages");
        assertThat(request.stdin()).isEqualTo("{\"author\":\"ada\"}");
        assertThat(request.stdinLength()).isEqualTo(body.length);
        assertThat(request.records()).hasSize(3).first().asString().startsWith("BEGIN_REQUEST");
        assertThat(assembler.pendingCount()).isZero();
    }

    @Test
    void aRequestEndedBeforeItsStdinIsForgotten() {
        TraceRecorder app = new TraceRecorder("app", "app-1");
        FastCgiAssembler assembler = new FastCgiAssembler();
        assembler.accept(app.hop(TRACE, Protocol.FASTCGI, Direction.RECEIVED).summary("BEGIN_REQUEST id=1 role=RESPONDER")
                .build());
        assertThat(assembler.pendingCount()).isEqualTo(1);

        assembler.accept(app.hop(TRACE, Protocol.FASTCGI, Direction.SENT)
                .summary("END_REQUEST id=1 OVERLOADED appStatus=0").build());

        assertThat(assembler.pendingCount()).isZero();
    }
}
