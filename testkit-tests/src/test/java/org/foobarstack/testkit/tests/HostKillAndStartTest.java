package org.foobarstack.testkit.tests;

import org.foobarstack.testkit.FoobarStackUnderTest;
import org.foobarstack.testkit.TestHost;
import org.foobarstack.testkit.TestStack;
import org.foobarstack.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An instance field: this test gets a fresh stack of its own, and may break it. Killing the simple design's one
 * server takes the whole site down; starting it brings it back with its data.
 */
class HostKillAndStartTest {

    @FoobarStackUnderTest("simple")
    TestStack stack;

    @Test
    void aKilledServerRefusesConnections_andServesAgainOnceStarted() throws Exception {
        TestHost server = stack.host("server-1");
        assertThat(server.address().getHostAddress()).isEqualTo("127.0." + stack.octet() + ".1");
        assertThat(server.tiers()).containsExactlyInAnyOrder("dns-1", "web-1", "app-1", "db-1");
        assertThat(RawHttp.send("POST", stack.url("/api/messages"), Map.of("Content-Type", "application/json"),
                "{\"author\":\"ada\",\"body\":\"before the kill\"}").status()).isEqualTo(201);

        server.kill();

        assertThat(server.running()).isFalse();
        assertThatThrownBy(() -> RawHttp.send("GET", stack.url("/"), Map.of(), null))
                .isInstanceOf(ConnectException.class);

        server.start();

        assertThat(server.running()).isTrue();
        TraceContext trace = TraceContext.fresh();
        RawHttp after = RawHttp.send("GET", stack.url("/api/messages"), Map.of("traceparent", trace.toHeader()), null);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.body()).as("the data survived the kill").contains("before the kill");
        assertThat(stack.httpRequests().take(r -> r.traceId().equals(trace.traceId())).target())
                .isEqualTo("/api/messages");
    }

    @Test
    void anUnknownHostIsRefusedWithTheDesignsHosts() {
        assertThatThrownBy(() -> stack.host("server-9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no host server-9 in the simple design (hosts: server-1)");
    }

}
