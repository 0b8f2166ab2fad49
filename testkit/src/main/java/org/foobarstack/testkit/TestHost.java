package org.foobarstack.testkit;

import org.foobarstack.admin.HostAction;
import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.hosts.AppTierRuntime;
import org.foobarstack.launcher.hosts.DnsTierRuntime;
import org.foobarstack.launcher.hosts.HostRuntime;
import org.foobarstack.launcher.hosts.TierRuntime;
import org.foobarstack.launcher.hosts.WebTierRuntime;
import org.foobarstack.topology.Role;
import org.foobarstack.trace.faults.FaultPlan;

import java.net.InetAddress;
import java.util.List;

/**
 * One host of a test stack, as {@code foobar-stack ctl} sees it: its address, whether it runs, and the host
 * actions kill and start, carried out by the stack as {@code ctl kill} and {@code ctl start} are.
 *
 * <p>A kill stops every tier of the host at once and resets their connections, as a server losing power looks
 * from the network; start brings them back, bottom up, on the same addresses and ports with the same data.
 *
 * <p>Faults inside a tier ({@link #faults(Role)}): the web, app and DNS servers of the host each have a
 * {@link FaultPlan}, where a test plans what the server does wrong and when, for instance
 * {@code host.faults(Role.APP).add(Fault.on(Trigger.RESPONSE_BODY).after(10).then(Effect.RESET))}. A plan
 * belongs to one run of the server: a host started again after a kill starts with empty plans.
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

    /**
     * The fault plan of this host's server of {@code role}: {@link Role#WEB}, {@link Role#APP} or
     * {@link Role#DNS}. Faults added to it reach the requests (or queries) that start afterwards;
     * {@link FaultPlan#clear()} ends them.
     *
     * @throws IllegalArgumentException when the host runs no such tier, or one without faults (db, lb, monitor)
     * @throws IllegalStateException    when the tier is not running (a killed host: start it first)
     */
    public FaultPlan faults(Role role) {
        TierRuntime tier = runtime().tiers().stream().filter(t -> t.role() == role).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("host " + name + " runs no " + role.key()
                        + " tier (tiers: " + String.join(", ", tiers()) + ")"));
        FaultPlan plan;
        if (tier instanceof WebTierRuntime web) {
            plan = web.server() == null ? null : web.server().faults();
        } else if (tier instanceof AppTierRuntime app) {
            plan = app.server() == null ? null : app.server().faults();
        } else if (tier instanceof DnsTierRuntime dns) {
            plan = dns.server() == null ? null : dns.server().faults();
        } else {
            throw new IllegalArgumentException("the " + role.key() + " tier of " + name
                    + " takes no faults: the web, app and dns tiers do");
        }
        if (plan == null || !tier.running()) {
            throw new IllegalStateException(tier.instance() + " on " + name + " is not running");
        }
        return plan;
    }

    private HostRuntime runtime() {
        return stack.host(name).orElseThrow(() -> new IllegalStateException("host " + name + " is gone"));
    }

    @Override
    public String toString() {
        return name + " " + address().getHostAddress() + (running() ? " running" : " not running");
    }
}
