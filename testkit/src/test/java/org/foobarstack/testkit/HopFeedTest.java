package org.foobarstack.testkit;

import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Every hop any recorder of the hub records reaches the consumer exactly once, in start order. */
class HopFeedTest {

    private final TraceHub hub = new TraceHub();
    private final RecordingQueue<Hop> seen = new RecordingQueue<>("hop", Duration.ofSeconds(5));
    private final HopFeed feed = new HopFeed(hub, seen::offer, Duration.ofMillis(2), "hop-feed-test");

    @AfterEach
    void stop() {
        feed.close();
    }

    @Test
    void eachHopOnceInStartOrder_fromRecordersAddedBeforeAndAfterTheStart() {
        TraceRecorder web = hub.newRecorder("web", "web-1");
        record(web, "GET /", 10);
        feed.start();
        record(web, "GET /a", 20);
        TraceRecorder app = hub.newRecorder("app", "app-1");
        record(app, "BEGIN_REQUEST id=1", 30);

        assertThat(seen.take().summary()).isEqualTo("GET /");
        assertThat(seen.take().summary()).isEqualTo("GET /a");
        assertThat(seen.take().summary()).isEqualTo("BEGIN_REQUEST id=1");
        record(web, "GET /b", 40);
        assertThat(seen.take().summary()).isEqualTo("GET /b");
        assertThat(seen.take(Duration.ofMillis(100))).as("nothing twice").isNull();
    }

    @Test
    void hopsRecordedJustBeforeCloseAreHandedOnByTheLastPoll() {
        TraceRecorder dns = hub.newRecorder("dns", "dns-1");
        feed.start();
        for (int i = 0; i < 100; i++) {
            record(dns, "query " + i, i);
        }
        feed.close();

        assertThat(seen.drain()).extracting(Hop::summary).hasSize(100).startsWith("query 0").endsWith("query 99");
    }

    private static void record(TraceRecorder recorder, String summary, long start) {
        recorder.record(recorder.hop("4bf92f3577b34da6a3ce929d0e0e4736", Protocol.HTTP, Direction.RECEIVED)
                .summary(summary).timing(start, start).build());
    }
}
