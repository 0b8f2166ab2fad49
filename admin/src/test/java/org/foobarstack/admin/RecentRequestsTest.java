package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.Test;

/** The request list's columns when hops carry fewer fields than the full trees of {@link FourTierTrace}. */
class RecentRequestsTest {

    private final TraceHub hub = new TraceHub();
    private final TraceRecorder web = hub.newRecorder("web", "web-1");

    @Test
    void methodTargetAndStatusFallBackToTheSummariesWhenHopsHaveNoFields() {
        String id = TraceContext.fresh().traceId();
        long t0 = System.nanoTime();
        web.record(web.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("POST /api/messages HTTP/1.1")
                .timing(t0, t0 + 10).build());
        web.record(web.hop(id, Protocol.HTTP, Direction.SENT).summary("HTTP/1.1 201 Created, 28 body bytes")
                .timing(t0 + 20, t0 + 30).build());

        RecentRequests.Row row = RecentRequests.newest(hub, 10).get(0);
        assertThat(row.method()).isEqualTo("POST");
        assertThat(row.target()).isEqualTo("/api/messages");
        assertThat(row.status()).isEqualTo("201");
    }

    @Test
    void aRequestStillUnderWayHasNoStatusYet() {
        String id = TraceContext.fresh().traceId();
        web.record(web.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("GET / HTTP/1.1").build());

        RecentRequests.Row row = RecentRequests.newest(hub, 10).get(0);
        assertThat(row.method()).isEqualTo("GET");
        assertThat(row.status()).isNull();
    }

    @Test
    void theStatusIsTheOneSentByTheInstanceThatReceivedTheRequest() {
        TraceRecorder proxy = hub.newRecorder("web", "web-2");
        String id = TraceContext.fresh().traceId();
        long t0 = System.nanoTime();
        web.record(web.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("GET / HTTP/1.1").timing(t0, t0).build());
        proxy.record(proxy.hop(id, Protocol.HTTP, Direction.SENT).summary("HTTP/1.1 502 Bad Gateway")
                .timing(t0 + 5, t0 + 6).build());
        web.record(web.hop(id, Protocol.HTTP, Direction.SENT).summary("HTTP/1.1 200 OK").timing(t0 + 1, t0 + 2)
                .build());

        assertThat(RecentRequests.newest(hub, 10).get(0).status()).isEqualTo("200");
    }

    @Test
    void theLimitCutsTheNewestAndAPrefixFindsOnlyAUniqueTrace() {
        long t0 = System.nanoTime();
        String first = "aaaa0000" + "0".repeat(23) + "1";
        String second = "aaaa1111" + "0".repeat(23) + "2";
        web.record(web.hop(first, Protocol.HTTP, Direction.RECEIVED).summary("GET /1 HTTP/1.1").timing(t0, t0)
                .build());
        web.record(web.hop(second, Protocol.HTTP, Direction.RECEIVED).summary("GET /2 HTTP/1.1")
                .timing(t0 + 1, t0 + 1).build());

        List<RecentRequests.Row> rows = RecentRequests.newest(hub, 1);
        assertThat(rows).extracting(RecentRequests.Row::traceId).containsExactly(second);
        assertThat(RecentRequests.newest(hub, 0)).isEmpty();
        assertThat(RecentRequests.resolvePrefix(hub, "aaaa1")).isEqualTo(second);
        assertThat(RecentRequests.resolvePrefix(hub, "aaaa")).isNull();
        assertThat(RecentRequests.resolvePrefix(hub, "bbbb")).isNull();
    }

    @Test
    void theBalancerAndTheWebServerThatAnsweredAreReadFromTheHops() {
        BalancedTrace balanced = new BalancedTrace(hub);
        String served = balanced.recordGetServedByWeb2();
        String retried = balanced.recordGetRetriedFromWeb1ToWeb2();

        List<RecentRequests.Row> rows = RecentRequests.newest(hub, 10);
        RecentRequests.Row first = rows.stream().filter(r -> r.traceId().equals(served)).findFirst().orElseThrow();
        assertThat(first.balancer()).isEqualTo("lb-1");
        assertThat(first.servedBy()).isEqualTo("web-2");
        RecentRequests.Row second = rows.stream().filter(r -> r.traceId().equals(retried)).findFirst().orElseThrow();
        assertThat(second.servedBy()).as("web-1 was reached first but died before answering").isEqualTo("web-2");
    }

    @Test
    void aRequestNotYetAnsweredIsServedByTheFirstWebServerItReached() {
        String id = TraceContext.fresh().traceId();
        web.record(web.hop(id, Protocol.HTTP, Direction.RECEIVED).summary("GET / HTTP/1.1").build());

        RecentRequests.Row row = RecentRequests.newest(hub, 10).get(0);
        assertThat(row.servedBy()).isEqualTo("web-1");
        assertThat(row.balancer()).isNull();
    }
}
