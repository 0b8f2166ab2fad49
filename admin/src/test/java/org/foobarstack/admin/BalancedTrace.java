package org.foobarstack.admin;

import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;

/**
 * Fills a hub the way the distributed design does for a GET through its load balancer: recorders named as the
 * stack names them (tier "lb" instance "lb-1", "web"/"web-1" and "web-2", "app"/"app-2", "db"/"db-1"), hops
 * with summaries only (the list reads no more than that).
 */
final class BalancedTrace {

    final TraceRecorder lb;
    final TraceRecorder web1;
    final TraceRecorder web2;
    final TraceRecorder app2;
    final TraceRecorder db1;

    BalancedTrace(TraceHub hub) {
        lb = hub.newRecorder("lb", "lb-1");
        web1 = hub.newRecorder("web", "web-1");
        web2 = hub.newRecorder("web", "web-2");
        app2 = hub.newRecorder("app", "app-2");
        db1 = hub.newRecorder("db", "db-1");
    }

    /** lb-1 chooses web-2, whose app server queries server-1's database; returns the trace id. */
    String recordGetServedByWeb2() {
        String id = TraceContext.fresh().traceId();
        long t0 = System.nanoTime() - 5_000_000;
        lb.record(lb.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("GET /api/messages HTTP/1.1")
                .peer("127.0.0.1:50100").timing(t0, t0 + 20_000).build());
        lb.record(lb.hop(id, Protocol.HTTP, Direction.SENT)
                .summary("lb-1 chose web-2 (roundrobin, 2 candidates)").peer("127.0.0.12:8080")
                .timing(t0 + 30_000, t0 + 40_000).build());
        web2.record(web2.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("GET /api/messages HTTP/1.1")
                .peer("127.0.0.10:41000").timing(t0 + 50_000, t0 + 60_000).build());
        web2.record(web2.hop(id, Protocol.FASTCGI, Direction.SENT).summary("BEGIN_REQUEST id=1 role=RESPONDER")
                .peer("127.0.0.12:9000").timing(t0 + 70_000, t0 + 80_000).build());
        app2.record(app2.hop(id, Protocol.SQL, Direction.SENT).summary("SELECT id, author, body FROM messages")
                .peer("127.0.0.11:1527").timing(t0 + 90_000, t0 + 200_000).build());
        db1.record(db1.hop(id, Protocol.SQL, Direction.RECEIVED).summary("SELECT id, author, body FROM messages")
                .peer("127.0.0.12:53000").timing(t0 + 100_000, t0 + 190_000).build());
        web2.record(web2.hop(id, Protocol.HTTP, Direction.SENT).summary("HTTP/1.1 200 OK")
                .peer("127.0.0.10:41000").timing(t0 + 300_000, t0 + 310_000).build());
        lb.record(lb.hop(id, Protocol.HTTP, Direction.SENT).summary("HTTP/1.1 200 OK")
                .peer("127.0.0.1:50100").timing(t0 + 320_000, t0 + 330_000).build());
        return id;
    }

    /**
     * lb-1 forwards a GET to web-1, which is killed before it answers (it recorded the request head, never a
     * response); the balancer retries on web-2, which answers. Returns the trace id.
     */
    String recordGetRetriedFromWeb1ToWeb2() {
        String id = TraceContext.fresh().traceId();
        long t0 = System.nanoTime() - 4_000_000;
        lb.record(lb.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("GET / HTTP/1.1").timing(t0, t0 + 10)
                .build());
        lb.record(lb.hop(id, Protocol.HTTP, Direction.SENT).summary("lb-1 chose web-1 (roundrobin, 2 candidates)")
                .timing(t0 + 100, t0 + 200).build());
        web1.record(web1.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("GET / HTTP/1.1")
                .timing(t0 + 300, t0 + 400).build());
        lb.record(lb.hop(id, Protocol.TCP, Direction.SENT)
                .summary("lb-1 -> web-1: empty response; redispatch").timing(t0 + 1_000, t0 + 1_100).build());
        lb.record(lb.hop(id, Protocol.HTTP, Direction.SENT).summary("lb-1 chose web-2 (roundrobin, 1 candidate)")
                .timing(t0 + 1_200, t0 + 1_300).build());
        web2.record(web2.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("GET / HTTP/1.1")
                .timing(t0 + 1_400, t0 + 1_500).build());
        web2.record(web2.hop(id, Protocol.HTTP, Direction.SENT).summary("HTTP/1.1 200 OK")
                .timing(t0 + 2_000, t0 + 2_100).build());
        lb.record(lb.hop(id, Protocol.HTTP, Direction.SENT).summary("HTTP/1.1 200 OK")
                .timing(t0 + 2_200, t0 + 2_300).build());
        return id;
    }

    /** Every server is down: lb-1 answers 503 itself, no web server is reached. Returns the trace id. */
    String recordGetRefusedByTheBalancer() {
        String id = TraceContext.fresh().traceId();
        long t0 = System.nanoTime() - 3_000_000;
        lb.record(lb.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("GET / HTTP/1.1").timing(t0, t0 + 10)
                .build());
        lb.record(lb.hop(id, Protocol.HTTP, Direction.SENT)
                .summary("HTTP/1.1 503 Service Unavailable (no server is available to handle this request)")
                .timing(t0 + 100, t0 + 200).build());
        return id;
    }
}
