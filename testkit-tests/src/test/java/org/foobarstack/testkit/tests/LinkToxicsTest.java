package org.foobarstack.testkit.tests;

import org.foobarstack.testkit.FoobarStackUnderTest;
import org.foobarstack.testkit.TestLink;
import org.foobarstack.testkit.TestStack;
import org.foobarstack.toxics.Toxic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Toxics on the links of a running design: every link between its tiers runs through a proxy of the test kit's,
 * and a test adds and removes Toxiproxy's toxics on it by name while requests flow.
 */
@Timeout(60)
class LinkToxicsTest {

    private static final long LATENCY_MILLIS = 200;

    @FoobarStackUnderTest("simple")
    static TestStack stack;

    @AfterEach
    void cleanLinks() {
        stack.removeAllToxics(); // the stack is the class's: the next test starts with clean links
    }

    private static long millisFor(URI url, int expectedStatus) throws Exception {
        long began = System.nanoTime();
        RawHttp response = RawHttp.send("GET", url, Map.of(), null);
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertThat(response.status()).isEqualTo(expectedStatus);
        return millis;
    }

    @Test
    void theDatabaseLinkGetsLatency_andTheGuestbookSlowsByAtLeastThat_untilItIsRemoved() throws Exception {
        URI messages = stack.url("/api/messages");
        millisFor(messages, 200); // warm: the app server's pool is connected
        long before = millisFor(messages, 200);

        TestLink database = stack.link("app-1", "db-1");
        database.add(Toxic.latency(Duration.ofMillis(LATENCY_MILLIS)));
        assertThat(database.toxics()).extracting(Toxic::name).containsExactly("latency_downstream");
        long slowed = millisFor(messages, 200);

        database.remove("latency_downstream");
        long after = millisFor(messages, 200);

        assertThat(slowed).as("every answer from the database waits %d ms (before: %d ms)", LATENCY_MILLIS, before)
                .isGreaterThanOrEqualTo(LATENCY_MILLIS);
        assertThat(after).as("fast again once removed").isLessThan(LATENCY_MILLIS);
    }

    @Test
    void theAppLinkResetsConnections_andTheWebServerAnswers502() throws Exception {
        stack.link("web-1", "app-1").add(Toxic.resetPeer(Duration.ZERO).upstream());
        millisFor(stack.url("/api/messages"), 502);

        stack.link("web-1", "app-1").remove("reset_peer_upstream");
        millisFor(stack.url("/api/messages"), 200);
    }

    @Test
    void theClientLinkSlowsTheTestsOwnRequests_whileUrlStaysDirect() throws Exception {
        TestLink client = stack.link("client", "web-1");
        client.add(Toxic.latency(Duration.ofMillis(LATENCY_MILLIS)));
        assertThat(millisFor(client.url("/"), 200)).isGreaterThanOrEqualTo(LATENCY_MILLIS);
        assertThat(millisFor(stack.url("/"), 200)).isLessThan(LATENCY_MILLIS);
    }

    @Test
    void anUnknownLinkIsRefusedWithTheDesignsLinks() {
        assertThatThrownBy(() -> stack.link("web-1", "db-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no link web-1 -> db-1 in the simple design")
                .hasMessageContaining("web-1 -> app-1").hasMessageContaining("app-1 -> db-1");
    }
}
