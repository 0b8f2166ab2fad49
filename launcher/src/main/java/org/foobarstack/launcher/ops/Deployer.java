package org.foobarstack.launcher.ops;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.admin.Operation;
import org.foobarstack.admin.StackControl.ControlException;
import org.foobarstack.app.guestbook.AppVersion;
import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.topology.AppTier;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.WebTier;

/**
 * Puts a version of the application on the running servers, with one of three {@link Strategy strategies}. Each
 * step is written to the operation as it happens, so that the output reads as a runbook:
 *
 * <pre>
 *   server-1  drain at lb-1: no new requests
 *   server-1  no request in progress (waited 3 ms)
 *   server-1  stopped gracefully: web-1, app-1
 *   server-1  started with v2 in 212 ms
 *   server-1  health check passed at lb-1 after 1804 ms: UP
 *   server-1  ready at lb-1: takes requests again
 * </pre>
 */
final class Deployer {

    private final Stack stack;
    private final Balancers balancers;
    private final ServerSet servers;
    /** Blue-green: the two sets of servers, once the green one exists, and which one is live. */
    private List<String> blue;
    private List<String> green;
    private boolean greenLive;

    Deployer(Stack stack) {
        this.stack = stack;
        this.balancers = new Balancers(stack.context());
        this.servers = new ServerSet(stack.context(), balancers);
    }

    /** Refuses, at once and with the reason, a strategy this design cannot carry out. */
    void check(Strategy strategy) {
        if (strategy == Strategy.ALL_AT_ONCE) {
            if (servers.withWebOrApp().isEmpty()) {
                throw new ControlException(409, stack.topologySpec().name() + " runs no web or app server");
            }
            return;
        }
        if (balancers.all().isEmpty()) {
            throw new ControlException(409, strategy.word() + " needs a load balancer in front of the servers, and "
                    + stack.topologySpec().name() + " has none: --strategy all-at-once is what a one-server design "
                    + "can do (with downtime)");
        }
        servers.requireWebAndAppTogether(strategy.word());
        if (strategy == Strategy.ROLLING && servers.live().size() < 2) {
            throw new ControlException(409, "rolling needs two or more servers taking requests: with "
                    + servers.live().size() + ", draining one leaves none");
        }
    }

    void deploy(AppVersion version, Strategy strategy, Operation op) {
        switch (strategy) {
            case ALL_AT_ONCE -> allAtOnce(version, op);
            case ROLLING -> rolling(version, op);
            case BLUE_GREEN -> blueGreen(version, op);
        }
    }

    private void allAtOnce(AppVersion version, Operation op) {
        List<String> hosts = servers.withWebOrApp();
        op.step("", "stopping every web and app server at once: nothing answers until they are back");
        long began = System.nanoTime();
        for (String host : hosts) {
            servers.stopGracefully(host);
            op.step(host, "stopped gracefully: " + servers.instances(host));
        }
        for (String host : hosts) {
            long start = System.nanoTime();
            servers.startWith(host, version);
            op.step(host, "started with " + version.word() + " in " + millisSince(start) + " ms");
        }
        long since = System.currentTimeMillis();
        for (String host : servers.behindBalancer()) {
            op.step(host, "health check passed at " + balancers.names(host) + " after "
                    + balancers.awaitUp(host, since) + " ms: UP, the balancer sends it requests again");
        }
        long gap = millisSince(began);
        op.done(version.word() + " on " + hosts.size() + (hosts.size() == 1 ? " server" : " servers")
                + ", all at once: " + gap + " ms from the first stop until every server answered again (and, behind a "
                + "balancer, passed its health check)");
    }

    private void rolling(AppVersion version, Operation op) {
        List<String> hosts = servers.live();
        int restarted = 0;
        for (String host : hosts) {
            if (servers.app(host).version() == version && servers.app(host).running()) {
                op.step(host, "already runs " + version.word());
                continue;
            }
            replaceBehindBalancer(host, version, op);
            restarted++;
        }
        op.done("every server runs " + version.word() + " (" + restarted + " restarted one at a time; the others "
                + "took the requests meanwhile)");
    }

    /** Drain, wait, stop gracefully, start with the new version, wait for the check, ready. */
    private void replaceBehindBalancer(String host, AppVersion version, Operation op) {
        String at = balancers.names(host);
        balancers.set(host, Server.AdminState.DRAIN);
        op.step(host, "drain at " + at + ": no new requests, those in progress finish");
        op.step(host, "no request in progress (waited " + balancers.awaitIdle(host, op) + " ms)");
        servers.stopGracefully(host);
        op.step(host, "stopped gracefully: " + servers.instances(host));
        long start = System.nanoTime();
        long since = System.currentTimeMillis();
        servers.startWith(host, version);
        op.step(host, "started with " + version.word() + " in " + millisSince(start) + " ms");
        op.step(host, "health check passed at " + at + " after " + balancers.awaitUp(host, since) + " ms: UP");
        balancers.set(host, Server.AdminState.READY);
        op.step(host, "ready at " + at + ": takes requests again");
    }

    private void blueGreen(AppVersion version, Operation op) {
        List<String> idle;
        List<String> live;
        if (green == null) {
            blue = servers.live();
            op.step("", "blue is the live set: " + String.join(", ", blue) + "; starting a green set beside it");
            green = startGreen(version, op);
            idle = green;
            live = blue;
        } else {
            idle = greenLive ? blue : green;
            live = greenLive ? green : blue;
            for (String host : idle) {
                if (servers.app(host).version() == version && servers.app(host).running()) {
                    op.step(host, "already runs " + version.word() + " (idle)");
                    continue;
                }
                servers.stopGracefully(host);
                op.step(host, "stopped gracefully (idle, drained): " + servers.instances(host));
                long start = System.nanoTime();
                servers.startWith(host, version);
                op.step(host, "started with " + version.word() + " in " + millisSince(start) + " ms");
            }
        }
        long since = System.currentTimeMillis() - 60_000; // any passing check of the server as it runs now
        for (String host : idle) {
            op.step(host, "health check passed at " + balancers.names(host) + " after "
                    + balancers.awaitUp(host, since) + " ms: UP, still given no requests");
        }
        String idleName = idle == green ? "green" : "blue";
        String liveName = idle == green ? "blue" : "green";
        for (String host : idle) {
            balancers.set(host, Server.AdminState.READY);
        }
        for (String host : live) {
            balancers.set(host, Server.AdminState.DRAIN);
        }
        op.step("", "switched: " + idleName + " (" + String.join(", ", idle) + ") takes every new request; "
                + liveName + " (" + String.join(", ", live) + ") drains");
        for (String host : live) {
            op.step(host, "no request in progress (waited " + balancers.awaitIdle(host, op) + " ms); kept running, "
                    + "idle, for a rollback");
        }
        greenLive = idle == green;
        op.done(version.word() + " is live on " + idleName + " (" + String.join(", ", idle) + "); " + liveName
                + " still runs " + servers.app(live.get(0)).version().word() + ", idle: deploying that version "
                + "with blue-green switches back in a moment");
    }

    /** One green host per blue one: the same web and app tiers on the next free address, with the new version. */
    private List<String> startGreen(AppVersion version, Operation op) {
        List<String> started = new ArrayList<>();
        int n = 1;
        for (String blueHost : blue) {
            HostSpec template = stack.topologySpec().host(blueHost).orElseThrow();
            while (stack.topologySpec().host("green-" + n).isPresent()) {
                n++;
            }
            String name = "green-" + n;
            HostSpec spec = copyOf(template, name, stack.topologySpec().nextFreeAddress(template.address()),
                    version.word(), "the green copy of " + blueHost
                    + " (blue-green deploy): the same web and app tiers, another version");
            servers.copyTlsIdentity(blueHost, spec);
            stack.addHost(spec, line -> { });
            op.step(name, "started at " + spec.address().getHostAddress() + " with " + version.word() + ": "
                    + servers.instances(name));
            for (LbTierRuntime lb : balancers.of(blueHost)) {
                lb.addServer(name);
                lb.setState(name, Server.AdminState.DRAIN);
            }
            op.step(name, "added to " + balancers.names(name) + ", drained: checked, but given no requests until "
                    + "the switch");
            started.add(name);
        }
        return started;
    }

    /**
     * A new host with {@code template}'s web and app tiers (not its database: the copy reads and writes the same
     * databases as the template's app server) and its firewall, on the next free address.
     */
    static HostSpec copyOf(HostSpec template, String name, java.net.InetAddress address, String version,
                           String description) {
        List<TierSpec> tiers = new ArrayList<>();
        WebTier web = template.tier(WebTier.class).orElseThrow();
        AppTier app = template.tier(AppTier.class).orElseThrow();
        tiers.add(new WebTier(web.port(), web.httpsPort(), name));
        tiers.add(new AppTier(app.port(), app.dbHost(), version, app.capacity()));
        return new HostSpec(name, address, description, tiers, template.firewall()); // a copy keeps the rules
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
