package org.foobarstack.testkit;

import org.foobarstack.admin.HostAction;
import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.hosts.HostRuntime;
import org.foobarstack.launcher.hosts.TierRuntime;

import java.net.InetAddress;
import java.util.List;

/**
 * One host of a test stack, as {@code foobar-stack ctl} sees it: its address, whether it runs, and the host
 * actions kill and start, carried out by the stack as {@code ctl kill} and {@code ctl start} are.
 *
 * <p>A kill stops every tier of the host at once and resets their connections, as a server losing power looks
 * from the network; start brings them back, bottom up, on the same addresses and ports with the same data.
 */
public final class TestHost {

    private final Stack stack;
    private final String name;

    TestHost(Stack stack, String name) {
        this.stack = stack;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The host's loopback address, 127.0.N.x. */
    public InetAddress address() {
        return runtime().spec().address();
    }

    /** True while every tier of the host runs. */
    public boolean running() {
        return runtime().state() == HostRuntime.State.RUNNING;
    }

    /** The instance names of the host's tiers: {@code dns-1}, {@code web-1}... */
    public List<String> tiers() {
        return runtime().tiers().stream().map(TierRuntime::instance).toList();
    }

    /**
     * Kills the host: every tier stops at once.
     *
     * @return what the stack says it did
     * @throws RuntimeException when the host is not running (the stack's refusal, HTTP 409 at the admin server)
     */
    public String kill() {
        return stack.act(name, HostAction.KILL);
    }

    /**
     * Starts the killed host again and returns once every tier accepts connections.
     *
     * @return what the stack says it did
     */
    public String start() {
        return stack.act(name, HostAction.START);
    }

    private HostRuntime runtime() {
        return stack.host(name).orElseThrow(() -> new IllegalStateException("host " + name + " is gone"));
    }

    @Override
    public String toString() {
        return name + " " + address().getHostAddress() + (running() ? " running" : " not running");
    }
}
