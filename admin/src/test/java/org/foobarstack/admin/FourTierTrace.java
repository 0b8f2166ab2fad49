package org.foobarstack.admin;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.fields.DnsFields;
import org.foobarstack.trace.fields.HttpHeadFields;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Fills a hub the way the four tiers will: one GET of /api/messages that crosses DNS, web, app and db, nine
 * messages with their real field trees (DNS and HTTP built from real bytes with the trace module's
 * builders; FastCGI and SQL as the trees their tiers record).
 */
final class FourTierTrace {

    static final String REQUEST_HEAD = "GET /api/messages HTTP/1.1\r\n"
            + "Host: www.foobar.com:8080\r\n"
            + "User-Agent: curl/7.88.1\r\n"
            + "X-Note: <script>alert(1)</script>\r\n"
            + "\r\n";
    static final String RESPONSE_HEAD = "HTTP/1.1 200 OK\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: 58\r\n"
            + "\r\n";
    static final int HOP_COUNT = 9;

    final TraceRecorder dns;
    final TraceRecorder web;
    final TraceRecorder app;
    final TraceRecorder db;

    FourTierTrace(TraceHub hub) {
        dns = hub.newRecorder("dns", "dns-1");
        web = hub.newRecorder("web", "web-1");
        app = hub.newRecorder("app", "app-1");
        db = hub.newRecorder("db", "db-1");
    }

    /** Records one whole request that ended {@code agoMicros} ago; returns its trace id. */
    String recordGet(long agoMicros) throws Exception {
        String traceId = TraceContext.fresh().traceId();
        long t0 = System.nanoTime() - agoMicros * 1000 - 2_000_000;
        Message query = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));
        Message answer = new Message(query.getHeader().getID());
        answer.getHeader().setFlag(Flags.QR);
        answer.getHeader().setFlag(Flags.AA);
        answer.getHeader().setFlag(Flags.RD);
        answer.getHeader().setRcode(Rcode.NOERROR);
        answer.addRecord(query.getQuestion(), Section.QUESTION);
        answer.addRecord(new ARecord(Name.fromString("www.foobar.com."), DClass.IN, 3600,
                java.net.InetAddress.getByName("127.0.0.1")), Section.ANSWER);

        dns.record(dns.hop(traceId, Protocol.DNS, Direction.RECEIVED).summary("query www.foobar.com. A")
                .peer("127.0.0.1:41000").timing(t0, t0 + 40_000).fields(DnsFields.of(query.toWire())).build());
        dns.record(dns.hop(traceId, Protocol.DNS, Direction.SENT)
                .summary("answer NOERROR, authoritative, A 127.0.0.1").peer("127.0.0.1:41000")
                .timing(t0 + 60_000, t0 + 90_000).fields(DnsFields.of(answer.toWire())).build());
        web.record(web.hop(traceId, Protocol.HTTP, Direction.RECEIVED).summary("GET /api/messages HTTP/1.1")
                .peer("127.0.0.1:50412").timing(t0 + 300_000, t0 + 340_000)
                .fields(HttpHeadFields.requestHead(REQUEST_HEAD.getBytes(StandardCharsets.ISO_8859_1))).build());
        web.record(web.hop(traceId, Protocol.FASTCGI, Direction.SENT).summary("BEGIN_REQUEST id=1 role=RESPONDER")
                .peer("127.0.0.1:9000").timing(t0 + 360_000, t0 + 380_000)
                .fields(fastCgiHeader(1, "BEGIN_REQUEST", 8)).build());
        app.record(app.hop(traceId, Protocol.FASTCGI, Direction.RECEIVED).summary("PARAMS id=1, 14 params")
                .peer("127.0.0.1:52000").timing(t0 + 400_000, t0 + 450_000)
                .fields(fastCgiHeader(4, "PARAMS", 412)).build());
        app.record(app.hop(traceId, Protocol.SQL, Direction.SENT)
                .summary("SELECT id, author, body FROM messages /* traceparent */")
                .peer("127.0.0.1:1527").timing(t0 + 500_000, t0 + 900_000)
                .field(Field.of("Statement", 0, 54, "SELECT id, author, body FROM messages ORDER BY id"))
                .build());
        db.record(db.hop(traceId, Protocol.SQL, Direction.RECEIVED)
                .summary("SELECT id, author, body FROM messages /* traceparent */")
                .peer("127.0.0.1:53000").timing(t0 + 550_000, t0 + 850_000)
                .field(Field.of("Statement", 0, 54, "SELECT id, author, body FROM messages ORDER BY id"))
                .field(Field.info("Rows", "2"))
                .build());
        app.record(app.hop(traceId, Protocol.FASTCGI, Direction.SENT).summary("STDOUT id=1, 96 bytes")
                .peer("127.0.0.1:52000").timing(t0 + 950_000, t0 + 980_000)
                .fields(fastCgiHeader(6, "STDOUT", 96)).build());
        web.record(web.hop(traceId, Protocol.HTTP, Direction.SENT).summary("HTTP/1.1 200 OK")
                .peer("127.0.0.1:50412").timing(t0 + 1_000_000, t0 + 1_050_000)
                .fields(HttpHeadFields.responseHead(RESPONSE_HEAD.getBytes(StandardCharsets.ISO_8859_1))).build());
        return traceId;
    }

    /** A dig query alone: a DNS-only trace. */
    String recordDig() throws Exception {
        String traceId = TraceContext.fresh().traceId();
        long t0 = System.nanoTime();
        Message query = Message.newQuery(Record.newRecord(Name.fromString("nope.foobar.com."), Type.A, DClass.IN));
        Message answer = new Message(query.getHeader().getID());
        answer.getHeader().setFlag(Flags.QR);
        answer.getHeader().setFlag(Flags.AA);
        answer.getHeader().setRcode(Rcode.NXDOMAIN);
        answer.addRecord(query.getQuestion(), Section.QUESTION);
        dns.record(dns.hop(traceId, Protocol.DNS, Direction.RECEIVED).summary("query nope.foobar.com. A")
                .timing(t0, t0 + 30_000).fields(DnsFields.of(query.toWire())).build());
        dns.record(dns.hop(traceId, Protocol.DNS, Direction.SENT).summary("answer NXDOMAIN")
                .timing(t0 + 40_000, t0 + 60_000).fields(DnsFields.of(answer.toWire())).build());
        return traceId;
    }

    /** The 8-byte FastCGI record header (FastCGI 1.0 §3.3) as a field tree. */
    private static List<Field> fastCgiHeader(int type, String typeName, int contentLength) {
        return List.of(Field.group("Record header", 0, 8, "FastCGI 1.0 §3.3", List.of(
                Field.of("Version", 0, 1, "1"),
                Field.of("Type", 1, 1, typeName + " (" + type + ")"),
                Field.of("Request ID", 2, 2, "1"),
                Field.of("Content length", 4, 2, Integer.toString(contentLength)),
                Field.of("Padding length", 6, 1, "0"),
                Field.of("Reserved", 7, 1, "0"))));
    }
}
