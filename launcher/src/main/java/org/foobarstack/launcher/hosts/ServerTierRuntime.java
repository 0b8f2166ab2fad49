package org.foobarstack.launcher.hosts;

import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.TierSpec;

import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A tier whose server object is made fresh at each start (the app, DNS, web and lb tiers): the current one is
 * kept here, with the port it bound, and kill, close and "is it running" are asked of it.
 *
 * <p>The port is remembered across restarts: a topology may say port 0 (tests do), and a host that comes back
 * after a kill must come back where the balancer and the zone expect it.
 *
 * @param <S> the server class: AppServer, DnsServer, WebServer, LoadBalancer
 */
abstract class ServerTierRuntime<S> extends TierRuntime {

    private final Consumer<S> kill;
    private final Consumer<S> close;
    private final Predicate<S> running;
    private S server;
    private int boundPort;

    /**
     * @param kill    how this kind of server is killed: sockets dropped, nothing flushed
     * @param close   how it is stopped gracefully
     * @param running whether it is started and not stopped
     */
    ServerTierRuntime(StackContext stack, HostSpec host, TierSpec spec,
                      Consumer<S> kill, Consumer<S> close, Predicate<S> running) {
        super(stack, host, spec);
        this.kill = kill;
        this.close = close;
        this.running = running;
    }

    /** The server of the current run, or null before the first start. */
    public synchronized S server() {
        return server;
    }

    /** The main port to bind at the next start: the one bound before, else the topology's. */
    protected synchronized int portToBind() {
        return portToBind(boundPort, spec.port());
    }

    /** A start made {@code fresh}, which accepts connections on {@code port}: it is now the tier's server. */
    protected synchronized void started(S fresh, int port) {
        server = fresh;
        boundPort = port;
    }

    @Override
    public final synchronized InetSocketAddress address() {
        return new InetSocketAddress(host.address(), portToBind());
    }

    @Override
    public final synchronized void kill() {
        if (server != null) {
            beforeStop(false);
            kill.accept(server);
        }
    }

    @Override
    public final synchronized void close() {
        if (server != null) {
            beforeStop(true);
            close.accept(server);
        }
    }

    /**
     * What must go before the server itself (a balancer's place in its pair); nothing by default.
     *
     * @param graceful true for a graceful stop, false for a kill
     */
    protected void beforeStop(boolean graceful) {
    }

    @Override
    public final synchronized boolean running() {
        return server != null && running.test(server);
    }
}
