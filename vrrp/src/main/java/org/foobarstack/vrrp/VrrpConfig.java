package org.foobarstack.vrrp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One {@code vrrp_instance} block of keepalived.conf, in unicast mode:
 *
 * <pre>
 * vrrp_instance VI_1 {                  name
 *     state BACKUP                      (every instance starts as a backup here; see below)
 *     virtual_router_id 51              virtualRouterId
 *     priority 150                      priority
 *     advert_int 1                      advertInterval
 *     nopreempt                         preempt = false (preempt is the default)
 *     unicast_src_ip 127.0.0.10         local
 *     unicast_peer {                    peers
 *         127.0.0.11
 *     }
 *     virtual_ipaddress {               virtualAddress
 *         127.0.0.100
 *     }
 * }
 * </pre>
 *
 * <p>keepalived's {@code state MASTER} only changes how an instance starts. RFC 9568 §6.4.1 starts every router
 * that does not own the address (priority below 255) as a backup, which then becomes master if it hears nobody
 * for Master_Down_Interval; that is what this emulation does.
 *
 * <p>VRRP is IP protocol 112 and has no ports. Here advertisements travel in UDP datagrams, so {@code local} and
 * each peer carry a port as well as the address.
 *
 * @param name            the instance's name, for log lines ("VI_1")
 * @param virtualRouterId the VRID, 1 to 255; every member of one virtual router uses the same (RFC 9568 §5.2.3)
 * @param priority        1 to 254, higher wins; 255 only for the router that owns the address (RFC 9568 §5.2.4)
 * @param advertInterval  how often the master advertises, in whole centiseconds from 10 ms to 40.95 s
 *                        (RFC 9568 §5.2.7); keepalived's default and ours is 1 s
 * @param preempt         whether a backup with a higher priority takes over from a live master of lower priority
 * @param local           where this instance sends from and listens: keepalived's {@code unicast_src_ip}
 * @param peers           where it sends its advertisements: keepalived's {@code unicast_peer}
 * @param virtualAddress  the address the master holds: keepalived's {@code virtual_ipaddress} (one, IPv4)
 */
public record VrrpConfig(String name, int virtualRouterId, int priority, Duration advertInterval, boolean preempt,
                         InetSocketAddress local, List<InetSocketAddress> peers, InetAddress virtualAddress) {

    /** keepalived's default {@code priority}. */
    public static final int DEFAULT_PRIORITY = 100;
    /** keepalived's default {@code advert_int}, and RFC 9568's default Advertisement_Interval (§6.1). */
    public static final Duration DEFAULT_ADVERT_INTERVAL = Duration.ofSeconds(1);
    /** The priority of the router that owns the virtual address (RFC 9568 §5.2.4). */
    public static final int OWNER_PRIORITY = 255;
    /** The shortest interval the advertisement can carry: one centisecond. */
    public static final Duration MIN_ADVERT_INTERVAL = Duration.ofMillis(10);
    /** The longest: 4095 centiseconds, the most the 12-bit field holds (RFC 9568 §5.2.7). */
    public static final Duration MAX_ADVERT_INTERVAL = Duration.ofMillis(40_950);

    public VrrpConfig {
        Objects.requireNonNull(name, "name must be set: keepalived names every vrrp_instance (VI_1)");
        if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("name must be one word, like keepalived's vrrp_instance VI_1; was '"
                    + name + "'");
        }
        if (virtualRouterId < 1 || virtualRouterId > 255) {
            throw new IllegalArgumentException(name + ": virtualRouterId (virtual_router_id) must be 1 to 255, was "
                    + virtualRouterId);
        }
        if (priority < 1 || priority > OWNER_PRIORITY) {
            throw new IllegalArgumentException(name + ": priority must be 1 to 254, or 255 for the address owner, was "
                    + priority + (priority == 0 ? " (0 is reserved: it is what a master that leaves advertises)" : ""));
        }
        Objects.requireNonNull(advertInterval, name + ": advertInterval (advert_int) must be set");
        if (advertInterval.compareTo(MIN_ADVERT_INTERVAL) < 0 || advertInterval.compareTo(MAX_ADVERT_INTERVAL) > 0) {
            throw new IllegalArgumentException(name + ": advertInterval (advert_int) must be 10 ms to 40.95 s, was "
                    + advertInterval.toMillis() + " ms");
        }
        if (advertInterval.toNanos() % 10_000_000 != 0) {
            throw new IllegalArgumentException(name + ": advertInterval (advert_int) must be a whole number of "
                    + "centiseconds, since the advertisement carries it in units of 10 ms; was "
                    + advertInterval.toNanos() / 1e6 + " ms");
        }
        Objects.requireNonNull(local, name + ": local (unicast_src_ip) must be set");
        requireIpv4WithPort(name, "local (unicast_src_ip)", local);
        Objects.requireNonNull(peers, name + ": peers (unicast_peer) must be set; it may be empty");
        Set<InetSocketAddress> seen = new HashSet<>();
        for (InetSocketAddress peer : peers) {
            Objects.requireNonNull(peer, name + ": a peer (unicast_peer) is null");
            requireIpv4WithPort(name, "peer " + peer, peer);
            if (peer.equals(local)) {
                throw new IllegalArgumentException(name + ": peer " + peer + " is this instance's own address (local)");
            }
            if (!seen.add(peer)) {
                throw new IllegalArgumentException(name + ": peer " + peer + " is listed twice");
            }
        }
        peers = List.copyOf(peers);
        Objects.requireNonNull(virtualAddress, name + ": virtualAddress (virtual_ipaddress) must be set");
        if (!(virtualAddress instanceof Inet4Address)) {
            throw new IllegalArgumentException(name + ": virtualAddress (virtual_ipaddress) must be IPv4, was "
                    + virtualAddress.getHostAddress() + "; this emulation carries IPv4 addresses only");
        }
    }

    private static void requireIpv4WithPort(String name, String what, InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(name + ": " + what + " must be an IP address, was the unresolved name "
                    + address.getHostString());
        }
        if (!(address.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException(name + ": " + what + " must be an IPv4 address, was "
                    + address.getAddress().getHostAddress());
        }
        if (address.getPort() == 0) {
            throw new IllegalArgumentException(name + ": " + what + " needs a port other than 0: the other members "
                    + "send their advertisements to it");
        }
    }

    /** The interval as the advertisement carries it (RFC 9568 §5.2.7). */
    public int advertIntervalCentiseconds() {
        return (int) (advertInterval.toMillis() / 10);
    }

    /** Whether this instance owns the virtual address (priority 255) and so starts as MASTER. */
    public boolean isAddressOwner() {
        return priority == OWNER_PRIORITY;
    }

    /** A builder with keepalived's defaults: priority 100, advert_int 1 s, preempt on. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Fills a {@link VrrpConfig} field by field; {@link #build()} checks them all. */
    public static final class Builder {
        private final String name;
        private int virtualRouterId;
        private int priority = DEFAULT_PRIORITY;
        private Duration advertInterval = DEFAULT_ADVERT_INTERVAL;
        private boolean preempt = true;
        private InetSocketAddress local;
        private final List<InetSocketAddress> peers = new ArrayList<>();
        private InetAddress virtualAddress;

        private Builder(String name) {
            this.name = name;
        }

        /** {@code virtual_router_id} */
        public Builder virtualRouterId(int virtualRouterId) {
            this.virtualRouterId = virtualRouterId;
            return this;
        }

        /** {@code priority} */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /** {@code advert_int} */
        public Builder advertInterval(Duration advertInterval) {
            this.advertInterval = advertInterval;
            return this;
        }

        /** {@code preempt} (true, the default) or {@code nopreempt} (false). */
        public Builder preempt(boolean preempt) {
            this.preempt = preempt;
            return this;
        }

        /** keepalived's {@code nopreempt}: the same as {@code preempt(false)}. */
        public Builder nopreempt() {
            return preempt(false);
        }

        /** {@code unicast_src_ip}, with the port this instance listens on. */
        public Builder local(InetSocketAddress local) {
            this.local = local;
            return this;
        }

        /** One more line of {@code unicast_peer { }}. */
        public Builder peer(InetSocketAddress peer) {
            this.peers.add(peer);
            return this;
        }

        /** All of {@code unicast_peer { }}, replacing those given before. */
        public Builder peers(List<InetSocketAddress> peers) {
            this.peers.clear();
            this.peers.addAll(peers);
            return this;
        }

        /** {@code virtual_ipaddress} */
        public Builder virtualAddress(InetAddress virtualAddress) {
            this.virtualAddress = virtualAddress;
            return this;
        }

        /** @throws IllegalArgumentException naming the first field that is wrong and why */
        public VrrpConfig build() {
            return new VrrpConfig(name, virtualRouterId, priority, advertInterval, preempt, local, peers,
                    virtualAddress);
        }
    }
}
