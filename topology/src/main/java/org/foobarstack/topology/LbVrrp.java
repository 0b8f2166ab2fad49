package org.foobarstack.topology;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A balancer's place in an active-passive pair, keepalived's {@code vrrp_instance}: the balancers that share a
 * {@code router-id} elect one MASTER by priority, and only the master listens on the virtual address, which is
 * where {@code www} points. When the master falls silent for three advertisement intervals (plus a skew that is
 * shorter for a higher priority), the backup takes the address over.
 *
 * <pre>
 * lb:
 *   vrrp: { address: 127.0.0.100, router-id: 51, priority: 150, advert-interval: 1s, preempt: true, port: 11200 }
 * </pre>
 *
 * @param address        the virtual address (keepalived's {@code virtual_ipaddress}); no host's own address
 * @param routerId       1..255, the same on every member of the pair ({@code virtual_router_id})
 * @param priority       1..254, the higher one is master ({@code priority})
 * @param advertInterval how often the master says it is there ({@code advert_int})
 * @param preempt        whether a member of higher priority that comes back takes the address back
 * @param port           the UDP port advertisements travel on (keepalived sends IP protocol 112; see the vrrp
 *                       module's README for why this is UDP here)
 */
public record LbVrrp(InetAddress address, int routerId, int priority, Duration advertInterval, boolean preempt,
                     int port) {

    public static final int DEFAULT_PORT = 11200;
    public static final int DEFAULT_PRIORITY = 100;
    public static final Duration DEFAULT_ADVERT_INTERVAL = Duration.ofSeconds(1);

    public LbVrrp {
        Objects.requireNonNull(address, "address");
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("the virtual address must be IPv4, got " + address.getHostAddress());
        }
        if (routerId < 1 || routerId > 255) {
            throw new IllegalArgumentException("router-id must be 1..255, got " + routerId);
        }
        if (priority < 1 || priority > 254) {
            throw new IllegalArgumentException("priority must be 1..254, got " + priority);
        }
        Objects.requireNonNull(advertInterval, "advertInterval");
        Ports.requireValid(port, "vrrp port");
    }

    /** The same membership with the virtual address moved (a relocated topology). */
    public LbVrrp withAddress(InetAddress moved) {
        return new LbVrrp(moved, routerId, priority, advertInterval, preempt, port);
    }
}
