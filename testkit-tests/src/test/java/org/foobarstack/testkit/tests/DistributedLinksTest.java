package org.foobarstack.testkit.tests;

import org.foobarstack.testkit.FoobarStackUnderTest;
import org.foobarstack.testkit.TestStack;
import org.foobarstack.toxics.Toxic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distributed design's links: the balancer's to each web server, each web server's to its app server, and
 * each app server's to both databases, which it still tells apart by address (a link's proxy listens on the
 * called host's address).
 */
@Timeout(90)
class DistributedLinksTest {

    /** Small enough that a database connection opened meanwhile still opens within the app server's wait. */
    private static final long LATENCY_MILLIS = 100;

    @FoobarStackUnderTest("distributed")
    static TestStack stack;

    @Test
    void everyLinkHasAProxy_andTheDatabaseLinksSlowEveryRead() throws Exception {
        assertThat(stack.links()).extracting(l -> l.from() + " -> " + l.to()).contains(
                "lb-1 -> web-1", "lb-1 -> web-2", "web-1 -> app-1", "web-2 -> app-2",
                "app-1 -> db-1", "app-1 -> db-2", "app-2 -> db-1", "app-2 -> db-2");
        for (int i = 0; i < 4; i++) { // both app servers' pools connected: a read costs one round trip
            assertThat(RawHttp.send("GET", stack.url("/api/messages"), Map.of(), null).status()).isEqualTo(200);
        }

        for (String app : new String[] {"app-1", "app-2"}) {
            for (String db : new String[] {"db-1", "db-2"}) {
                stack.link(app, db).add(Toxic.latency(Duration.ofMillis(LATENCY_MILLIS)));
            }
        }
        for (int i = 0; i < 2; i++) { // round robin: once through each app server
            long began = System.nanoTime();
            RawHttp read = RawHttp.send("GET", stack.url("/api/messages"), Map.of(), null);
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            assertThat(read.headers()).as("the app server found its database through DNS and the proxies")
                    .containsKey("x-database");
            assertThat((System.nanoTime() - began) / 1_000_000).isGreaterThanOrEqualTo(LATENCY_MILLIS);
        }
        stack.removeAllToxics();
        assertThat(stack.links()).allSatisfy(link -> assertThat(link.toxics()).isEmpty());
    }
}
