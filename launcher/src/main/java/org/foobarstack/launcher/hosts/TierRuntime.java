package org.foobarstack.launcher.hosts;

import org.foobarstack.admin.TierStatus;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.TierSpec;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * One tier of one host, across its whole life in a running topology: each start makes a new server object from
 * the tier's spec (servers start once), on the same address and, after the first start, the same ports, so that
 * the tiers that call it still find it after the host was killed and started again.
 *
 * <p>Lifecycle: {@link #start()} (blocks until the tier accepts connections), then {@link #kill()} (abrupt) or
 * {@link #close()} (graceful), then {@link #start()} again if the host is started again.
 */
public abstract class TierRuntime {

    protected final StackContext stack;
    protected final HostSpec host;
    protected final TierSpec spec;
    protected final String instance;

    protected TierRuntime(StackContext stack, HostSpec host, TierSpec spec) {
        this.stack = stack;
        this.host = host;
        this.spec = spec;
        this.instance = stack.names().of(host.name(), spec.role());
    }

    public HostSpec host() {
        return host;
    }

    public Role role() {
        return spec.role();
    }

    /** "web-2" */
    public String instance() {
        return instance;
    }

    /** "web server", for people. */
    public String description() {
        return spec.role().description();
    }

    /** Starts a new server for this tier and returns once it accepts connections. */
    public abstract void start() throws Exception;

    /** Stops it at once: sockets reset, work in progress lost. */
    public abstract void kill();

    /** Stops it gracefully. */
    public abstract void close();

    /** Whether a server of this tier is started and not stopped. */
    public abstract boolean running();

    /** The tier's main address: bound when running, else the one it will bind. */
    public abstract InetSocketAddress address();

    /** The tier as the dashboard draws it, probed now. */
    public abstract TierStatus status(Duration probeTimeout);

    /** Whom this tier calls, from the topology: for the dashboard's arrows. */
    protected List<TierStatus.Reference> references() {
        return spec.references().stream()
                .map(r -> new TierStatus.Reference(r.host(), r.role().key())).toList();
    }

    /** The port to bind: the one bound before, so that a restart keeps it; else the spec's. */
    protected static int portToBind(int bound, int specified) {
        return bound > 0 ? bound : specified;
    }

    protected String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return instance + " on " + host.name();
    }
}
