package org.foobarstack.vrrp;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** keepalived's vrrp_instance as a record: its defaults, and a clear message for each mistake. */
class VrrpConfigTest {

    private static final InetSocketAddress LB_1 = new InetSocketAddress(ip("127.0.0.10"), 11200);
    private static final InetSocketAddress LB_2 = new InetSocketAddress(ip("127.0.0.20"), 11200);
    private static final InetAddress VIP = ip("127.0.0.100");

    private static VrrpConfig.Builder valid() {
        return VrrpConfig.builder("VI_1").virtualRouterId(51).local(LB_1).peer(LB_2).virtualAddress(VIP);
    }

    @Test
    void theDefaultsAreKeepalivedsPriority100EverySecondWithPreempt() {
        VrrpConfig config = valid().build();

        assertThat(config.priority()).isEqualTo(100);
        assertThat(config.advertInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.advertIntervalCentiseconds()).isEqualTo(100);
        assertThat(config.preempt()).isTrue();
        assertThat(config.peers()).containsExactly(LB_2);
        assertThat(config.isAddressOwner()).isFalse();
        assertThat(valid().nopreempt().build().preempt()).isFalse();
        assertThat(valid().priority(255).build().isAddressOwner()).isTrue();
    }

    @Test
    void eachMistakeIsNamed() {
        assertRejected(VrrpConfig.builder("VI 1").virtualRouterId(51).local(LB_1).virtualAddress(VIP),
                "name must be one word, like keepalived's vrrp_instance VI_1; was 'VI 1'");
        assertRejected(valid().virtualRouterId(0), "VI_1: virtualRouterId (virtual_router_id) must be 1 to 255, was 0");
        assertRejected(valid().virtualRouterId(256),
                "VI_1: virtualRouterId (virtual_router_id) must be 1 to 255, was 256");
        assertRejected(valid().priority(0), "VI_1: priority must be 1 to 254, or 255 for the address owner, was 0 "
                + "(0 is reserved: it is what a master that leaves advertises)");
        assertRejected(valid().priority(256), "VI_1: priority must be 1 to 254, or 255 for the address owner, was 256");
        assertRejected(valid().advertInterval(Duration.ofMillis(5)),
                "VI_1: advertInterval (advert_int) must be 10 ms to 40.95 s, was 5 ms");
        assertRejected(valid().advertInterval(Duration.ofSeconds(41)),
                "VI_1: advertInterval (advert_int) must be 10 ms to 40.95 s, was 41000 ms");
        assertRejected(valid().advertInterval(Duration.ofMillis(105)), "VI_1: advertInterval (advert_int) must be a "
                + "whole number of centiseconds, since the advertisement carries it in units of 10 ms; was 105.0 ms");
        assertRejected(valid().local(new InetSocketAddress(ip("127.0.0.10"), 0)),
                "VI_1: local (unicast_src_ip) needs a port other than 0: the other members send their advertisements to it");
        assertRejected(valid().local(InetSocketAddress.createUnresolved("lb-1", 11200)),
                "VI_1: local (unicast_src_ip) must be an IP address, was the unresolved name lb-1");
        assertRejected(valid().local(new InetSocketAddress(ip("::1"), 11200)),
                "VI_1: local (unicast_src_ip) must be an IPv4 address, was 0:0:0:0:0:0:0:1");
        assertRejected(valid().peers(List.of(LB_2, LB_2)), "VI_1: peer " + LB_2 + " is listed twice");
        assertRejected(valid().peer(LB_1), "VI_1: peer " + LB_1 + " is this instance's own address (local)");
        assertRejected(valid().virtualAddress(ip("::1")), "VI_1: virtualAddress (virtual_ipaddress) must be IPv4, "
                + "was 0:0:0:0:0:0:0:1; this emulation carries IPv4 addresses only");
        assertRejected(valid().virtualAddress(null), "VI_1: virtualAddress (virtual_ipaddress) must be set");
    }

    @Test
    void anInstanceWithNoPeersIsALoneRouter() {
        assertThat(valid().peers(List.of()).build().peers()).isEmpty();
    }

    private static void assertRejected(VrrpConfig.Builder builder, String message) {
        assertThatThrownBy(builder::build).hasMessage(message);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);   // a literal: no name is looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
