package org.foobarstack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TraceRecorderTest {

    private static final String A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static Hop hop(TraceRecorder recorder, String traceId, String summary, long start) {
        return recorder.hop(traceId, Protocol.HTTP, Direction.RECEIVED).summary(summary).timing(start, start + 10).build();
    }

    @Test
    void aTraceListsOnlyItsHopsInStartOrderWithTheRecordersNames() {
        TraceRecorder recorder = new TraceRecorder("web", "web-1");
        recorder.record(hop(recorder, A, "second", 200));
        recorder.record(hop(recorder, B, "other", 150));
        recorder.record(hop(recorder, A, "first", 100));

        Trace trace = recorder.trace(A);

        assertThat(trace.hops()).extracting(Hop::summary).containsExactly("first", "second");
        assertThat(trace.hops()).allSatisfy(h -> {
            assertThat(h.tier()).isEqualTo("web");
            assertThat(h.instance()).isEqualTo("web-1");
        });
        assertThat(recorder.trace("cccccccccccccccccccccccccccccccc").isEmpty()).isTrue();
    }

    @Test
    void theRingKeepsOnlyTheNewestHops() {
        TraceRecorder recorder = new TraceRecorder("dns", "dns-1", 4, new TraceClock());
        for (int i = 0; i < 10; i++) {
            recorder.record(hop(recorder, A, "hop " + i, i));
        }

        assertThat(recorder.capacity()).isEqualTo(4);
        assertThat(recorder.recordedCount()).isEqualTo(10);
        assertThat(recorder.hops()).extracting(Hop::summary).containsExactly("hop 6", "hop 7", "hop 8", "hop 9");
    }

    @Test
    void sinceHandsOutEachHopOnceAndSkipsWhatTheRingOverwrote() {
        TraceRecorder recorder = new TraceRecorder("web", "web-1", 4, new TraceClock());
        recorder.record(hop(recorder, A, "hop 0", 0));
        recorder.record(hop(recorder, A, "hop 1", 1));

        TraceRecorder.Batch first = recorder.since(0);
        assertThat(first.hops()).extracting(Hop::summary).containsExactly("hop 0", "hop 1");
        assertThat(first.next()).isEqualTo(2);
        assertThat(recorder.since(first.next()).hops()).isEmpty();
        assertThat(recorder.since(first.next()).next()).isEqualTo(2);

        for (int i = 2; i < 9; i++) {
            recorder.record(hop(recorder, A, "hop " + i, i));
        }
        TraceRecorder.Batch later = recorder.since(first.next());
        assertThat(later.hops()).as("hops 2 to 4 were overwritten before they were asked for")
                .extracting(Hop::summary).containsExactly("hop 5", "hop 6", "hop 7", "hop 8");
        assertThat(later.next()).isEqualTo(9);
    }

    @Test
    void sinceBeyondWhatWasRecordedStartsAgainFromTheFirstHop() {
        TraceRecorder restarted = new TraceRecorder("web", "web-1");
        restarted.record(hop(restarted, A, "after the restart", 5));

        TraceRecorder.Batch batch = restarted.since(1_000);
        assertThat(batch.hops()).extracting(Hop::summary).containsExactly("after the restart");
        assertThat(batch.next()).isEqualTo(1);
    }

    @Test
    void capacityIsRoundedUpToAPowerOfTwo() {
        assertThat(new TraceRecorder("x", "x-1", 1000, new TraceClock()).capacity()).isEqualTo(1024);
    }

    @Test
    void aDisabledRecorderKeepsNothing() {
        TraceRecorder recorder = new TraceRecorder("app", "app-1");
        recorder.setEnabled(false);
        recorder.record(hop(recorder, A, "ignored", 1));

        assertThat(recorder.enabled()).isFalse();
        assertThat(recorder.hops()).isEmpty();
    }

    @Test
    void recentTracesAreNewestFirst() {
        TraceRecorder recorder = new TraceRecorder("web", "web-1");
        recorder.record(hop(recorder, A, "GET /a", 100));
        recorder.record(hop(recorder, B, "GET /b", 200));
        recorder.record(hop(recorder, A, "response /a", 300));

        List<TraceSummary> recent = recorder.recent(10);

        assertThat(recent).extracting(TraceSummary::traceId).containsExactly(A, B);
        assertThat(recent.get(0).hopCount()).isEqualTo(2);
        assertThat(recent.get(0).firstSummary()).isEqualTo("GET /a");
        assertThat(recorder.recent(1)).hasSize(1);
    }

    @Test
    void concurrentWritersLoseNoHopWhileTheRingHasRoom() throws Exception {
        TraceRecorder recorder = new TraceRecorder("web", "web-1", 8192, new TraceClock());
        int threads = 4;
        int perThread = 1000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String traceId = String.valueOf((char) ('a' + t)).repeat(32);
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    recorder.record(hop(recorder, traceId, "hop", i));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        assertThat(recorder.hops()).hasSize(threads * perThread);
        assertThat(recorder.trace("c".repeat(32)).hops()).hasSize(perThread);
    }

    @Test
    void theHubMergesTiersInStartOrder() {
        TraceHub hub = new TraceHub();
        TraceRecorder web = hub.newRecorder("web", "web-1");
        TraceRecorder app = hub.newRecorder("app", "app-1");
        web.record(hop(web, A, "request head", 100));
        app.record(hop(app, A, "FastCGI BEGIN_REQUEST", 150));
        web.record(hop(web, A, "response head", 300));
        app.record(hop(app, B, "other", 400));

        Trace trace = hub.trace(A);

        assertThat(trace.hops()).extracting(Hop::summary)
                .containsExactly("request head", "FastCGI BEGIN_REQUEST", "response head");
        assertThat(trace.tiers()).containsExactly("web", "app");
        assertThat(hub.recent(10)).extracting(TraceSummary::traceId).containsExactly(B, A);
        assertThat(hub.recent(10).get(1).tiers()).containsExactly("web", "app");

        hub.setEnabled(false);
        web.record(hop(web, A, "not kept", 500));
        assertThat(hub.trace(A).hops()).hasSize(3);
    }
}
