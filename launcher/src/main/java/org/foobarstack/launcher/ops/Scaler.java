package org.foobarstack.launcher.ops;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.admin.Operation;
import org.foobarstack.admin.StackControl.ControlException;
import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.WebTier;

/**
 * Brings the number of servers behind the balancer to a count, the cure the seeds name for "one server cannot take
 * more traffic than it can serve". A server added is a new host on the next free address, running a copy of the
 * first server's web and app tiers (its app uses the same databases); it joins the balancer DOWN and takes requests
 * once its health check has risen. A server removed is drained first, then put in maintenance, taken out of the
 * balancer, stopped gracefully and removed from the zone. Only servers that run web and app alone are removed: a
 * server that also runs a database or the name server stays.
 *
 * <p>In a design whose tiers live on hosts of their own (scaled), {@code web=N} scales the web tier alone: a web
 * server added is a new host running only a web server, which passes /api/* to the app server that the fewest
 * web servers use (each web server names one, as nginx's {@code fastcgi_pass} names one address).
 */
final class Scaler {

    /** Scaling is for the servers behind the balancer: each runs a web server and an app server. */
    private static final List<String> ROLES = List.of("web", "app");
    static final int MAX_SERVERS = 8;

    private final Stack stack;
    private final Balancers balancers;
    private final ServerSet servers;

    Scaler(Stack stack) {
        this.stack = stack;
        this.balancers = new Balancers(stack.context());
        this.servers = new ServerSet(stack.context(), balancers);
    }

    /** Refuses at once what cannot be done; else the number of servers taking requests now. */
    int check(String role, int count) {
        if (!ROLES.contains(role)) {
            throw new ControlException(400, "scale web=N (or app=N): the servers behind the balancer, each running "
                    + "a web and an app server; " + role + " does not scale here");
        }
        if (count < 1 || count > MAX_SERVERS) {
            throw new ControlException(400, "a count from 1 to " + MAX_SERVERS + ", not " + count
                    + " (every host shares this machine's cores)");
        }
        if (balancers.all().isEmpty()) {
            throw new ControlException(409, stack.topologySpec().name() + " has no load balancer to spread requests "
                    + "over more servers: scale a design with one (distributed)");
        }
        boolean split = servers.tiersSplit();
        if (split && !role.equals("web")) {
            throw new ControlException(409, "in " + stack.topologySpec().name() + " each tier has hosts of its own: "
                    + "scale web=N adds or removes web servers, each passing /api/* to the app server fewest web "
                    + "servers use; app servers are added in the topology file (a host with an app: tier), since "
                    + "each web server sends to one app server and a new one would get no request");
        }
        List<String> live = live();
        if (live.isEmpty()) {
            throw new ControlException(409, "no server takes requests now to copy");
        }
        if (count < live.size()) {
            List<String> removable = removable(live);
            if (removable.size() < live.size() - count) {
                List<String> staying = new ArrayList<>(live);
                staying.removeAll(removable);
                throw new ControlException(409, "only " + removable.size() + " of the " + live.size()
                        + " servers can be removed: " + String.join(", ", staying) + " also run a database or the "
                        + "name server");
            }
        }
        return live.size();
    }

    void scale(int count, Operation op) {
        int from = live().size();
        while (live().size() < count) {
            addOne(op);
        }
        while (live().size() > count) {
            List<String> removable = removable(live());
            removeOne(removable.get(removable.size() - 1), op);
        }
        List<String> now = live();
        op.done(from == count ? "already " + count + " servers: " + String.join(", ", now)
                : now.size() + (now.size() == 1 ? " server" : " servers") + " take requests now: "
                + String.join(", ", now));
    }

    /** The servers that run only web and app, oldest first. */
    private List<String> removable(List<String> live) {
        return live.stream().filter(host -> {
            HostSpec spec = stack.topologySpec().host(host).orElseThrow();
            return spec.tiers().stream().allMatch(t -> t.role() == Role.WEB || t.role() == Role.APP);
        }).toList();
    }

    /** The servers scaling counts: web and app together, or the web servers alone when the tiers are split. */
    private List<String> live() {
        return servers.tiersSplit() ? servers.liveWebOnly() : servers.live();
    }

    private void addOne(Operation op) {
        if (servers.tiersSplit()) {
            addWebServer(op);
            return;
        }
        String templateName = servers.live().get(0);
        HostSpec template = stack.topologySpec().host(templateName).orElseThrow();
        int n = 1;
        while (stack.topologySpec().host("server-" + n).isPresent()) {
            n++;
        }
        String name = "server-" + n;
        HostSpec spec = Deployer.copyOf(template, name, stack.topologySpec().nextFreeAddress(template.address()),
                servers.app(templateName).version().word(), "added by scale: a copy of " + templateName
                        + "'s web and app tiers, using the same databases");
        long start = System.nanoTime();
        servers.copyTlsIdentity(templateName, spec);
        stack.addHost(spec, line -> { });
        op.step(name, "started at " + spec.address().getHostAddress() + " in " + (System.nanoTime() - start) / 1_000_000
                + " ms: " + servers.instances(name) + ", " + servers.app(name).version().word());
        joinBalancers(name, templateName, op);
    }

    /** A web server on a host of its own, a copy of the first one's, sent to the least used app server. */
    private void addWebServer(Operation op) {
        String templateName = live().get(0);
        HostSpec template = stack.topologySpec().host(templateName).orElseThrow();
        WebTier web = template.tier(WebTier.class).orElseThrow();
        int n = 1;
        while (stack.topologySpec().host("web-" + n).isPresent()) {
            n++;
        }
        String name = "web-" + n;
        String app = leastUsedAppServer();
        HostSpec spec = new HostSpec(name, stack.topologySpec().nextFreeAddress(template.address()),
                "added by scale: a web server and nothing else, like " + templateName + "; /api/* goes to " + app,
                List.of(new WebTier(web.port(), web.httpsPort(), app)), template.firewall());
        long start = System.nanoTime();
        servers.copyTlsIdentity(templateName, spec);
        stack.addHost(spec, line -> { });
        op.step(name, "started at " + spec.address().getHostAddress() + " in " + (System.nanoTime() - start) / 1_000_000
                + " ms: " + servers.instances(name) + ", passing /api/* to " + app);
        joinBalancers(name, templateName, op);
    }

    /** Adds the new server to every balancer of the one it copies, and waits until its check lets it in. */
    private void joinBalancers(String name, String templateName, Operation op) {
        for (LbTierRuntime lb : balancers.of(templateName)) {
            lb.addServer(name);
        }
        op.step(name, "added to " + balancers.names(name) + ": DOWN until its health check rises, so no request "
                + "reaches it before it can answer");
        op.step(name, "health check passed after " + balancers.awaitUp(name, 0) + " ms: UP, takes its share");
    }

    /** The host running an app server that the fewest web servers pass /api/* to; the first such in the file. */
    private String leastUsedAppServer() {
        java.util.Map<String, Integer> users = new java.util.LinkedHashMap<>();
        for (HostSpec host : stack.topologySpec().hosts()) {
            if (host.runs(Role.APP)) {
                users.put(host.name(), 0);
            }
        }
        for (HostSpec host : stack.topologySpec().hosts()) {
            host.tier(WebTier.class).ifPresent(w -> users.computeIfPresent(w.appHost(), (h, c) -> c + 1));
        }
        return users.entrySet().stream().min(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private void removeOne(String host, Operation op) {
        String at = balancers.names(host);
        balancers.set(host, Server.AdminState.DRAIN);
        op.step(host, "drain at " + at + ": no new requests, those in progress finish");
        op.step(host, "no request in progress (waited " + balancers.awaitIdle(host, op) + " ms)");
        balancers.set(host, Server.AdminState.MAINT);
        for (LbTierRuntime lb : balancers.of(host)) {
            lb.removeServer(host);
        }
        op.step(host, "maintenance, then removed from " + at);
        stack.removeHost(host);
        op.step(host, "stopped gracefully and removed from the zone");
    }
}
