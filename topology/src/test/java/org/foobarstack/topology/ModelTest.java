package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model on its own: lookups, and the rules a topology built in code must keep too. */
class ModelTest {

    static InetAddress address(int last) {
        return Topology.numericAddress(new byte[] {127, 0, 0, (byte) last});
    }

    @Test
    void rolesHaveAKeyAPortAndADescription() {
        assertThat(Role.fromKey("lb")).contains(Role.LB);
        assertThat(Role.fromKey("LB")).isEmpty();
        assertThat(Role.fromKey("wbe")).isEmpty();
        assertThat(Role.values()).extracting(Role::defaultPort).containsExactly(5300, 8080, 8080, 9000, 1527, 9300);
        assertThat(Role.LB.description()).isEqualTo("load balancer (HAProxy-like)");
        assertThat(Role.WEB.description()).isEqualTo("web server: static files, /api/* to the app tier");
    }

    @Test
    void retryOnConditionsHaveHaproxysWords() {
        assertThat(RetryOn.values()).extracting(RetryOn::key).containsExactly("conn-failure", "empty-response");
        assertThat(RetryOn.fromKey("empty-response")).contains(RetryOn.EMPTY_RESPONSE);
        assertThat(RetryOn.fromKey("EMPTY_RESPONSE")).isEmpty();
        assertThat(RetryOn.fromKey("response-timeout")).isEmpty();
    }

    @Test
    void aTopologyFindsTiersByRoleAndByType() {
        Topology distributed = ShippedTopologies.load("distributed");

        assertThat(distributed.hostsWith(Role.WEB)).extracting(HostSpec::name).containsExactly("server-1", "server-2");
        assertThat(distributed.tiers(Role.DB)).extracting(placed -> placed.host().name())
                .containsExactly("server-1", "server-2");
        List<Placed<WebTier>> webs = distributed.tiers(WebTier.class);
        assertThat(webs).extracting(placed -> placed.tier().appHost()).containsExactly("server-1", "server-2");
        assertThat(webs.get(1).socketAddress()).isEqualTo(new InetSocketAddress(address(12), 8080));
        assertThat(distributed.host("server-3")).isEmpty();
        assertThat(distributed.host("ns1").orElseThrow().runs(Role.DNS)).isTrue();
        assertThat(distributed.host("ns1").orElseThrow().tier(Role.WEB)).isEmpty();
    }

    @Test
    void listenersAndReferencesOfEachTier() {
        LbTier lb = LbTier.withDefaults(List.of(LbServer.of("server-1")));

        assertThat(new DnsTier().listeners()).extracting(l -> l.port() + "/" + l.transport().key())
                .containsExactly("5300/udp", "5300/tcp");
        assertThat(lb.listeners()).extracting(TierSpec.Listener::label).containsExactly("lb", "lb stats-port");
        assertThat(lb.references()).containsExactly(new TierSpec.Reference("server-1", Role.WEB));
        assertThat(new AppTier(9000, "db-1").references()).containsExactly(new TierSpec.Reference("db-1", Role.DB));
    }

    @Test
    void aTopologyBuiltInCodeIsCheckedForWiring() {
        HostSpec web = new HostSpec("web-1", address(11), "", List.of(new WebTier(8080, 8443, "app-1")));
        assertThatThrownBy(() -> new Topology("t", "", "foobar.com", WwwRecord.A, List.of(web)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the web tier on web-1 refers to app-1, which runs no app tier");

        HostSpec ns1 = new HostSpec("ns1", address(2), "", List.of(new DnsTier()));
        HostSpec ns2 = new HostSpec("ns2", address(3), "", List.of(new DnsTier()));
        assertThatThrownBy(() -> new Topology("t", "", "foobar.com", WwwRecord.A, List.of(ns1, ns2)))
                .hasMessage("both ns1 and ns2 run a dns tier; the zone has one name server here");
    }

    @Test
    void hostsAndTiersRefuseWhatTheFormatRefuses() {
        assertThatThrownBy(() -> new HostSpec("Server_1", address(11), "", List.of(new DbTier())))
                .hasMessage("host name must match [a-z][a-z0-9-]{0,30}, got Server_1");
        assertThatThrownBy(() -> new HostSpec("s", address(11), "", List.of()))
                .hasMessage("host s runs no tier; a host runs at least one");
        assertThatThrownBy(() -> new HostSpec("s", address(11), "", List.of(new DbTier(), new DbTier(1528))))
                .hasMessage("host s runs two db tiers");
        assertThatThrownBy(() -> new DbTier(65536)).hasMessage("db port must be 0..65535, got 65536");
        assertThatThrownBy(() -> new LbTier(8080, 8404, LbMode.TCP, Balance.URI, HealthCheckSpec.DEFAULT, 3, true,
                LbTier.DEFAULT_RETRY_ON, LbTimeouts.DEFAULT, List.of(LbServer.of("s"))))
                .hasMessage("balance uri needs mode http");
        assertThatThrownBy(() -> new LbTier(8080, 8404, LbMode.HTTP, Balance.ROUNDROBIN, HealthCheckSpec.DEFAULT, 3,
                true, List.of(), LbTimeouts.DEFAULT, List.of(LbServer.of("s"))))
                .hasMessage("retry-on needs at least one condition; to never retry set retries: 0");
        assertThatThrownBy(() -> new LbTier(8080, 8404, LbMode.HTTP, Balance.ROUNDROBIN, HealthCheckSpec.DEFAULT, 3,
                true, List.of(RetryOn.CONN_FAILURE, RetryOn.CONN_FAILURE), LbTimeouts.DEFAULT,
                List.of(LbServer.of("s"))))
                .hasMessage("retry-on lists a condition twice: [conn-failure, conn-failure]");
        assertThatThrownBy(() -> LbTier.withDefaults(List.of()))
                .hasMessage("a load balancer needs at least one server");
        assertThatThrownBy(() -> new LbServer("s", 257, false, true)).hasMessage("weight must be 0..256, got 257");
    }
}
