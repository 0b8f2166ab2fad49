package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a topology file may leave out, and what the loader fills in. */
class DefaultsTest {

    static final Topology SHORT = TopologyLoader.load("short.yaml", """
            name: short
            hosts:
              ns1: { address: 127.0.0.2, tiers: { dns: } }
              lb-1:
                address: 127.0.0.10
                tiers:
                  lb:
                    servers: [ { host: server-1 }, { host: server-2 } ]
              server-1:
                address: 127.0.0.11
                tiers:
                  web:
                  app: {}
                  db: {}
              server-2:
                address: 127.0.0.12
                tiers:
                  web: { https-port: off }
                  app: {}
            """);

    @Test
    void theTopLevelDefaultsToFoobarComWithWwwAsAnARecord() {
        assertThat(SHORT.domain()).isEqualTo("foobar.com");
        assertThat(SHORT.www()).isEqualTo(WwwRecord.A);
        assertThat(SHORT.description()).isEmpty();
        assertThat(SHORT.host("ns1").orElseThrow().description()).isEmpty();
    }

    @Test
    void aTierWithNoValueTakesEveryDefault() {
        assertThat(SHORT.host("ns1").orElseThrow().tiers()).containsExactly(new DnsTier(5300));
        assertThat(SHORT.host("server-1").orElseThrow().tiers()).containsExactly(
                new WebTier(8080, 8443, "server-1"), new AppTier(9000, "server-1"), new DbTier(1527));
    }

    @Test
    void httpsPortOffMeansNoHttps() {
        WebTier web = SHORT.host("server-2").orElseThrow().tier(WebTier.class).orElseThrow();

        assertThat(web.httpsPort()).isEqualTo(TierSpec.OFF);
        assertThat(web.hasHttps()).isFalse();
        assertThat(web.listeners()).extracting(TierSpec.Listener::label).containsExactly("web");
    }

    @Test
    void anAppServerWithoutADatabaseOfItsOwnUsesTheOnlyOne() {
        assertThat(SHORT.host("server-2").orElseThrow().tier(AppTier.class)).contains(new AppTier(9000, "server-1"));
    }

    @Test
    void aBalancerTakesHaproxysDefaults() {
        LbTier lb = SHORT.balancers().get(0).tier();

        assertThat(lb).isEqualTo(LbTier.withDefaults(List.of(LbServer.of("server-1"), LbServer.of("server-2"))));
        assertThat(lb.statsPort()).isEqualTo(8404);
        assertThat(lb.check()).isEqualTo(new HealthCheckSpec(CheckType.HTTP, "/health",
                Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
        assertThat(lb.timeouts()).isEqualTo(new LbTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofSeconds(30)));
        assertThat(lb.retries()).isEqualTo(3);
        assertThat(lb.redispatch()).isTrue();
        assertThat(lb.retryOn()).containsExactly(RetryOn.CONN_FAILURE);
        assertThat(lb.servers().get(0)).isEqualTo(new LbServer("server-1", 1, false, true));
    }

    @Test
    void everyValueCanBeGivenExplicitly() {
        Topology topology = TopologyLoader.load("full.yaml", """
                name: full
                description: >
                  Two servers behind a TCP balancer.
                domain: example.org
                www: cname
                hosts:
                  lb-1:
                    address: 127.0.0.10
                    description: the balancer
                    tiers:
                      lb:
                        port: 80
                        stats-port: off
                        mode: tcp
                        balance: leastconn
                        check: { type: tcp, inter: 500ms, timeout: 250ms, rise: 1, fall: 5 }
                        retries: 0
                        redispatch: false
                        retry-on: [empty-response, conn-failure]
                        timeout: { connect: 2s, server: 1m, client: 90s }
                        servers:
                          - { host: server-1, weight: 256 }
                          - { host: server-2, weight: 0, backup: true, check: false }
                  server-1:
                    address: 127.0.0.11
                    tiers: { web: { port: 8081, https-port: -1, app: server-2 }, db: { port: 1528 } }
                  server-2:
                    address: 127.0.0.12
                    tiers: { web: { app: server-2 }, app: { port: 9001, db: server-1 } }
                """);

        assertThat(topology.description()).isEqualTo("Two servers behind a TCP balancer.");
        assertThat(topology.domain()).isEqualTo("example.org");
        assertThat(topology.www()).isEqualTo(WwwRecord.CNAME);
        assertThat(topology.host("lb-1").orElseThrow().description()).isEqualTo("the balancer");
        assertThat(topology.balancers().get(0).tier()).isEqualTo(new LbTier(80, TierSpec.OFF, LbMode.TCP,
                Balance.LEASTCONN,
                new HealthCheckSpec(CheckType.TCP, "/health", Duration.ofMillis(500), Duration.ofMillis(250), 1, 5),
                0, false, List.of(RetryOn.EMPTY_RESPONSE, RetryOn.CONN_FAILURE),
                new LbTimeouts(Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofSeconds(90)),
                List.of(new LbServer("server-1", 256, false, true), new LbServer("server-2", 0, true, false))));
        assertThat(topology.host("server-1").orElseThrow().tiers())
                .containsExactly(new WebTier(8081, TierSpec.OFF, "server-2"), new DbTier(1528));
        assertThat(topology.host("server-2").orElseThrow().tiers())
                .containsExactly(new WebTier(8080, 8443, "server-2"), new AppTier(9001, "server-1"));
    }

    @Test
    void retryOnIsAListReadInTheOrderWritten() {
        LbTier blockList = TopologyLoader.load("t.yaml", LoaderErrorsTest.balancer("""
                retry-on:
                  - empty-response
                servers: [ { host: s } ]
                """)).balancers().get(0).tier();
        LbTier flowList = TopologyLoader.load("t.yaml", LoaderErrorsTest.balancer("""
                retry-on: [empty-response, conn-failure]
                servers: [ { host: s } ]
                """)).balancers().get(0).tier();

        assertThat(blockList.retryOn()).containsExactly(RetryOn.EMPTY_RESPONSE);
        assertThat(flowList.retryOn()).containsExactly(RetryOn.EMPTY_RESPONSE, RetryOn.CONN_FAILURE);
    }

    @Test
    void withoutABalancerWwwPointsAtEveryWebServer() {
        Topology roundRobin = TopologyLoader.load("dns-round-robin.yaml", """
                name: dns-round-robin
                hosts:
                  server-1: { address: 127.0.0.11, tiers: { web: {}, app: {}, db: {} } }
                  server-2: { address: 127.0.0.12, tiers: { web: {}, app: {} } }
                """);

        assertThat(ShippedTopologiesTest.addresses(roundRobin.wwwAddresses())).containsExactly("127.0.0.11", "127.0.0.12");
    }
}
