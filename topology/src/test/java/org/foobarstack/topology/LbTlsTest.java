package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.topology.LoaderErrorsTest.problems;

import org.junit.jupiter.api.Test;

/** HTTPS at the balancer in a topology file: its defaults, and what is refused. */
class LbTlsTest {

    private static final String HOSTS = """
              s: { address: 127.0.0.11, tiers: { web: {}, app: {}, db: {} } }
            """;

    @Test
    void httpsTakesItsDefaultsAndIsOffWithoutTheKey() {
        Topology t = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  lb-1: { address: 127.0.0.10, tiers: { lb: { https: {}, servers: [ { host: s } ] } } }
                """ + HOSTS);
        LbTier lb = t.balancers().get(0).tier();
        assertThat(lb.tls()).isEqualTo(new LbTls(8443, true, 31_536_000L, false));
        assertThat(lb.listeners()).extracting(TierSpec.Listener::port).containsExactly(8080, 8443, 8404);

        Topology plain = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  lb-1: { address: 127.0.0.10, tiers: { lb: { servers: [ { host: s } ] } } }
                """ + HOSTS);
        assertThat(plain.balancers().get(0).tier().tls()).isEqualTo(LbTls.OFF);
    }

    @Test
    void reEncryptingToTheServersAndTheHeaderAreChosenByTheFile() {
        Topology t = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  lb-1:
                    address: 127.0.0.10
                    tiers:
                      lb: { https: { port: 443, redirect: false, hsts-max-age: 0, to-servers: tls }, servers: [ { host: s } ] }
                """ + HOSTS);
        assertThat(t.balancers().get(0).tier().tls()).isEqualTo(new LbTls(443, false, 0, true));
    }

    @Test
    void aTcpBalancerCannotTerminateTlsAndToServersIsPlainOrTls() {
        assertThat(problems("""
                name: t
                hosts:
                  lb-1:
                    address: 127.0.0.10
                    tiers:
                      lb: { mode: tcp, https: { to-servers: yes }, servers: [ { host: s } ] }
                """ + HOSTS)).containsExactly(
                "t.yaml:6:31: https at the balancer needs mode http: a tcp balancer passes TLS through",
                "t.yaml:6:45: to-servers is plain (HTTP behind the balancer) or tls (encrypted again, the servers' "
                        + "certificates verified), not \"yes\"");
    }
}
