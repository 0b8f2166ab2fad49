package org.foobarstack.launcher.netns;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One machine of the namespaces' network: a host of the design, or the client.
 *
 * @param host    the host's name in the topology; {@value NetnsPlan#CLIENT} for the client
 * @param name    the network namespace ({@code fbs-server-1}): {@code ip netns exec NAME ...} runs a command there
 * @param veth    the outer end of its veth pair, on the bridge; the inner end is {@code eth0} in the namespace
 * @param address the address of its {@code eth0}, in the plan's /24
 */
public record Namespace(String host, String name, String veth, InetAddress address) {

    /** The kernel's limit on an interface name: IFNAMSIZ is 16 bytes with the terminating NUL (netdevice(7)). */
    public static final int MAX_INTERFACE_NAME = 15;

    public Namespace {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        if (veth.isEmpty() || veth.length() > MAX_INTERFACE_NAME) {
            throw new IllegalArgumentException("interface name '" + veth + "' is not 1 to " + MAX_INTERFACE_NAME
                    + " characters (IFNAMSIZ)");
        }
    }

    /** Whether this is the client's namespace rather than a host's. */
    public boolean client() {
        return host.equals(NetnsPlan.CLIENT);
    }
}
