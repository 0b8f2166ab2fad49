package org.foobarstack.launcher.ops;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.foobarstack.app.guestbook.AppVersion;
import org.foobarstack.launcher.PortProbe;
import org.foobarstack.launcher.hosts.AppTierRuntime;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.launcher.hosts.StackContext;
import org.foobarstack.launcher.hosts.TierRuntime;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.backend.ServerStats;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;

/**
 * The servers behind the balancer as deploys and scaling see them: hosts whose web server a balancer sends
 * requests to, each running its own app server; and how one is restarted with another version.
 */
final class ServerSet {

    private static final Duration START_PATIENCE = Duration.ofSeconds(30);

    private final StackContext stack;
    private final Balancers balancers;

    ServerSet(StackContext stack, Balancers balancers) {
        this.stack = stack;
        this.balancers = balancers;
    }

    /** The first balancer's servers that run an app server of their own, in its order. */
    List<String> behindBalancer() {
        List<LbTierRuntime> all = balancers.all();
        if (all.isEmpty()) {
            return List.of();
        }
        return all.get(0).serverHosts().stream().filter(this::runsWebAndApp).toList();
    }

    /**
     * The first balancer's servers that run a web server and no app server, in its order: the web tier of a
     * design whose tiers are split over hosts of their own (scaled).
     */
    List<String> webOnlyBehindBalancer() {
        List<LbTierRuntime> all = balancers.all();
        if (all.isEmpty()) {
            return List.of();
        }
        return all.get(0).serverHosts().stream().filter(host -> {
            HostSpec spec = stack.topology().host(host).orElse(null);
            return spec != null && spec.runs(Role.WEB) && !spec.runs(Role.APP);
        }).toList();
    }

    /** Whether the balanced servers run a web server only, their app servers on hosts of their own. */
    boolean tiersSplit() {
        return behindBalancer().isEmpty() && !webOnlyBehindBalancer().isEmpty();
    }

    /** Those of them the balancer sends new requests to now (READY, not drained or in maintenance). */
    List<String> live() {
        return ready(behindBalancer());
    }

    /** The web-only servers the balancer sends new requests to now. */
    List<String> liveWebOnly() {
        return ready(webOnlyBehindBalancer());
    }

    private List<String> ready(List<String> hosts) {
        List<LbTierRuntime> all = balancers.all();
        if (all.isEmpty()) {
            return List.of();
        }
        LbTierRuntime first = all.get(0);
        return hosts.stream()
                .filter(host -> first.serverStats(host).map(ServerStats::adminState)
                        .orElse(Server.AdminState.READY) == Server.AdminState.READY)
                .toList();
    }

    /**
     * Refuses a design whose balanced servers run a web server only, their app servers on hosts of their own
     * (scaled): deploys and scaling here replace or copy a server that runs both.
     */
    void requireWebAndAppTogether(String what) {
        List<LbTierRuntime> all = balancers.all();
        if (!all.isEmpty() && !all.get(0).serverHosts().isEmpty() && behindBalancer().isEmpty()) {
            throw new org.foobarstack.admin.StackControl.ControlException(409, "the servers behind the balancer in "
                    + stack.topology().name() + " run a web server only, their app servers on hosts of their "
                    + "own: " + what + " works on servers that run both (distributed, secured), not one tier at a "
                    + "time");
        }
    }

    boolean runsWebAndApp(String host) {
        HostSpec spec = stack.topology().host(host).orElse(null);
        return spec != null && spec.runs(Role.WEB) && spec.runs(Role.APP);
    }

    /** Hosts that run a web or an app server, in the topology's order. */
    List<String> withWebOrApp() {
        return stack.topology().hosts().stream().filter(h -> h.runs(Role.WEB) || h.runs(Role.APP))
                .map(HostSpec::name).toList();
    }

    AppTierRuntime app(String host) {
        return (AppTierRuntime) stack.tier(host, Role.APP);
    }

    /** Stops the host's web server, then its app server, each gracefully (requests in flight finish). */
    void stopGracefully(String host) {
        HostSpec spec = stack.topology().host(host).orElseThrow();
        if (spec.runs(Role.WEB)) {
            stack.tier(host, Role.WEB).close();
        }
        if (spec.runs(Role.APP)) {
            stack.tier(host, Role.APP).close();
        }
    }

    /** Starts the host's app server with {@code version}, then its web server; each accepts when this returns. */
    void startWith(String host, AppVersion version) {
        HostSpec spec = stack.topology().host(host).orElseThrow();
        if (spec.runs(Role.APP)) {
            AppTierRuntime app = app(host);
            app.setVersion(version);
            start(app);
        }
        if (spec.runs(Role.WEB)) {
            start(stack.tier(host, Role.WEB));
        }
    }

    private static void start(TierRuntime tier) {
        try {
            tier.start();
        } catch (Exception e) {
            throw new IllegalStateException(tier.instance() + " on " + tier.host().name() + " did not start: "
                    + e.getMessage(), e);
        }
        InetSocketAddress address = tier.address();
        if (!PortProbe.waitUntilAccepting(address, START_PATIENCE)) {
            throw new IllegalStateException(tier.instance() + " started but " + address
                    + " did not accept a connection");
        }
    }

    /**
     * Gives a new host the web server's TLS identity of {@code template} (its local certificate authority and the
     * site's certificate), before the new host starts: a balancer that encrypts again to its servers trusts the
     * authorities it knew when it started, so a copy must present a certificate from one of them.
     */
    void copyTlsIdentity(String template, HostSpec copy) {
        java.nio.file.Path from = stack.dataDirectory(stack.topology().host(template).orElseThrow()).resolve("web")
                .resolve("tls");
        java.nio.file.Path to = stack.dataDirectory(copy).resolve("web").resolve("tls");
        if (!java.nio.file.Files.isDirectory(from)) {
            return;
        }
        try {
            java.nio.file.Files.createDirectories(to);
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(from)) {
                for (java.nio.file.Path file : files.toList()) {
                    java.nio.file.Files.copy(file, to.resolve(file.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }

    /** "web-1, app-1": the instances a restart touches. */
    String instances(String host) {
        HostSpec spec = stack.topology().host(host).orElseThrow();
        StringBuilder b = new StringBuilder();
        for (Role role : List.of(Role.WEB, Role.APP)) {
            if (spec.runs(role)) {
                b.append(b.isEmpty() ? "" : ", ").append(stack.tier(host, role).instance());
            }
        }
        return b.toString();
    }
}
