package org.foobarstack.launcher.hosts;

import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.TierSpec;

/**
 * A tier whose server object is made fresh at each start (the app, DNS, web and lb tiers): the current one is
 * kept here, and kill, close and "is it running" are asked of it.
 *
 * @param <S> the server class: AppServer, DnsServer, WebServer, LoadBalancer
 */
abstract class ServerTierRuntime<S> extends TierRuntime {

    private S server;

    ServerTierRuntime(StackContext stack, HostSpec host, TierSpec spec) {
        super(stack, host, spec);
    }

    /** The server of the current run, or null before the first start. */
    public synchronized S server() {
        return server;
    }

    /** A start made {@code fresh} and it accepts connections: it is now the tier's server. */
    protected synchronized void started(S fresh) {
        server = fresh;
    }

    protected abstract void kill(S current);

    protected abstract void close(S current);

    protected abstract boolean running(S current);

    @Override
    public final synchronized void kill() {
        if (server != null) {
            kill(server);
        }
    }

    @Override
    public final synchronized void close() {
        if (server != null) {
            close(server);
        }
    }

    @Override
    public final synchronized boolean running() {
        return server != null && running(server);
    }
}
