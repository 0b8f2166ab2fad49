package org.foobarstack.launcher;

import org.foobarstack.launcher.hosts.HostRuntime;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.launcher.hosts.TierRuntime;
import org.foobarstack.launcher.hosts.WebTierRuntime;
import org.foobarstack.topology.Role;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The text shown once the stack is up: where each host and tier listens, and commands to try against it. */
final class Banner {

    private Banner() {
    }

    static String of(Stack stack) {
        return stack.topologySpec().hosts().size() == 1 && stack.dns() != null && stack.web() != null
                && stack.app() != null && stack.storage() != null ? singleServer(stack) : hosts(stack);
    }

    /** The simple design: one server, its four tiers in the order a request meets them. */
    private static String singleServer(Stack stack) {
        InetSocketAddress dns = stack.dns().udpAddress();
        InetSocketAddress http = stack.web().httpAddress();
        InetSocketAddress https = stack.web().httpsAddress();
        InetSocketAddress app = stack.app().address();
        InetSocketAddress db = stack.storage().address();
        String dnsHost = dns.getAddress().getHostAddress();
        String httpBase = "http://" + hostPort(http);

        StringBuilder b = new StringBuilder();
        b.append("foobar-stack is up. A request for www.foobar.com walks through:\n\n");
        b.append(line("DNS server", hostPort(dns) + "  (UDP and TCP, authoritative for foobar.com"
                + (stack.config().wwwAsCname() ? ", www is a CNAME)" : ", www is an A record)")));
        b.append(line("web server", httpBase + "/" + (https == null ? "" : "   https://" + hostPort(https) + "/")));
        b.append(line("app server", hostPort(app) + "  (FastCGI responder)"));
        b.append(line("database", hostPort(db) + "  (Derby Network Server, " + stack.storage().jdbcUrl() + ")"));
        b.append(admin(stack));
        b.append(line("data", stack.config().dataDir().toString()));
        b.append("\nTry:\n");
        b.append("  dig @").append(dnsHost).append(" -p ").append(dns.getPort()).append(" www.foobar.com A\n");
        b.append("  curl -s ").append(httpBase).append("/\n");
        b.append("  curl -s -X POST -H 'Content-Type: application/json' -d '{\"author\":\"ada\",\"body\":\"hi\"}' ")
                .append(httpBase).append("/api/messages\n");
        b.append("  curl -s ").append(httpBase).append("/api/messages\n");
        if (https != null) {
            Path ca = stack.web().caCertificate();
            b.append("  curl --cacert ").append(ca).append(" --resolve www.foobar.com:").append(https.getPort())
                    .append(':').append(https.getAddress().getHostAddress())
                    .append(" https://www.foobar.com:").append(https.getPort()).append("/\n");
        }
        b.append("  java -jar launcher/target/foobar-stack.jar walk --dns ").append(hostPort(dns))
                .append(" --trace-api http://").append(hostPort(stack.admin().address()))
                .append(" http://www.foobar.com:").append(http.getPort()).append("/api/messages\n");
        b.append("  chromium --host-resolver-rules=\"MAP www.foobar.com ").append(hostPort(http))
                .append("\" http://www.foobar.com/\n");
        b.append("  bin/foobar-stack ctl kill server-1      (the single point of failure; ctl start server-1)\n");
        b.append("\nPress Ctrl+C to stop.\n");
        return b.toString();
    }

    /** Any other design: a table of hosts, each with its address and tiers, then what to try. */
    private static String hosts(Stack stack) {
        StringBuilder b = new StringBuilder();
        b.append("foobar-stack is up: topology ").append(stack.topologySpec().name()).append("\n");
        stack.topologySpec().description().lines().findFirst()
                .ifPresent(first -> b.append("  ").append(first).append("\n"));
        b.append("\n").append(String.format("  %-10s %-12s %s%n", "host", "address", "tiers"));
        for (HostRuntime host : stack.hosts()) {
            List<String> tiers = new ArrayList<>();
            for (TierRuntime tier : host.tiers()) {
                StringBuilder t = new StringBuilder(tier.instance()).append(' ').append(tier.role().key())
                        .append(" :").append(tier.address().getPort());
                if (tier instanceof WebTierRuntime web && web.httpsAddress() != null) {
                    t.append(" https :").append(web.httpsAddress().getPort());
                }
                if (tier instanceof LbTierRuntime lb && lb.httpsAddress() != null) {
                    t.append(" https :").append(lb.httpsAddress().getPort());
                }
                if (tier instanceof LbTierRuntime lb && lb.statsAddress() != null) {
                    t.append(" stats :").append(lb.statsAddress().getPort());
                }
                if (tier instanceof LbTierRuntime lb && lb.virtualAddress().isPresent()) {
                    t.append(" vrrp ").append(lb.vrrpState().map(Enum::name).orElse("-").toLowerCase())
                            .append(" of ").append(lb.virtualAddress().get().getHostAddress());
                }
                tiers.add(t.toString());
            }
            b.append(String.format("  %-10s %-12s %s%n", host.name(), host.spec().address().getHostAddress(),
                    String.join(", ", tiers)));
        }
        b.append("\n").append(admin(stack));
        b.append(line("data", stack.context().dataDirectory(stack.topologySpec().hosts().get(0)).getParent()
                .toString()));
        b.append("\nTry:\n");
        stack.context().nameServer().ifPresent(ns -> b.append("  dig @").append(ns.address().getAddress()
                .getHostAddress()).append(" -p ").append(ns.address().getPort())
                .append(" www.foobar.com A                 (www points at ")
                .append(stack.topologySpec().balancers().isEmpty() ? "the web servers"
                        : stack.topologySpec().balancers().stream().anyMatch(p -> p.tier().vrrp().isPresent())
                        ? "the balancer pair's virtual address" : stack.topologySpec().balancers().size() > 1
                        ? "every balancer" : "the load balancer")
                .append(")\n"));
        InetSocketAddress front = stack.front();
        LbTierRuntime firstBalancer = stack.context().tiers(Role.LB).stream().map(t -> (LbTierRuntime) t)
                .findFirst().orElse(null);
        if (firstBalancer != null && firstBalancer.httpsAddress() != null && front != null) {
            int port = firstBalancer.httpsAddress().getPort();
            b.append("  curl -s --cacert ").append(firstBalancer.caCertificate()).append(" --resolve www.foobar.com:")
                    .append(port).append(':').append(front.getAddress().getHostAddress())
                    .append(" https://www.foobar.com:").append(port)
                    .append("/api/whoami     (twice: which web server answered?)\n");
            b.append("  curl -si http://").append(hostPort(front))
                    .append("/api/whoami     (plain HTTP: 301 to https, no page)\n");
        } else if (front != null) {
            String base = "http://" + hostPort(front);
            b.append("  curl -s ").append(base).append("/api/whoami     (twice: which web server answered?)\n");
            b.append("  curl -si ").append(base).append("/ | grep X-Backend-Server\n");
        }
        stack.monitoringServer().ifPresent(monitor -> b.append("  curl -s http://").append(hostPort(monitor))
                .append("/api/summary     (the monitoring server: requests/s, errors, p99 per server; also ")
                .append("/api/hosts, /api/alerts, /metrics)\n"));
        for (TierRuntime tier : stack.context().tiers(Role.LB)) {
            InetSocketAddress stats = ((LbTierRuntime) tier).statsAddress();
            if (stats != null) {
                b.append("  curl -s 'http://").append(hostPort(stats)).append("/stats;csv'   (")
                        .append(tier.instance()).append("'s stats, HAProxy's columns; the page is /stats)\n");
            }
        }
        b.append("  bin/foobar-stack ctl status\n");
        if (firstBalancer != null && firstBalancer.virtualAddress().isPresent()) {
            b.append("  bin/foobar-stack ctl kill ").append(firstBalancer.host().name())
                    .append("      (the other balancer takes ").append(firstBalancer.virtualAddress().get()
                            .getHostAddress()).append(" over; demo spof measures how long it takes)\n");
        }
        String victim = stack.hosts().stream().filter(h -> h.spec().runs(Role.WEB)).reduce((a, z) -> z)
                .map(HostRuntime::name).orElse(stack.hosts().get(stack.hosts().size() - 1).name());
        b.append("  bin/foobar-stack ctl kill ").append(victim).append("      (then: ctl start ")
                .append(victim).append(")\n");
        if (firstBalancer != null && firstBalancer.httpsAddress() != null && front != null) {
            int port = firstBalancer.httpsAddress().getPort();
            b.append("  bin/foobar-stack load https://www.foobar.com:").append(port)
                    .append("/api/messages --resolve www.foobar.com:").append(port).append(':')
                    .append(front.getAddress().getHostAddress()).append(" --cacert ")
                    .append(firstBalancer.caCertificate()).append(" --rate 100 --duration 20\n");
        } else if (front != null) {
            b.append("  bin/foobar-stack load http://").append(hostPort(front))
                    .append("/api/messages --rate 100 --duration 20\n");
        }
        b.append("\nPress Ctrl+C to stop.\n");
        return b.toString();
    }

    /** {@code run --processes}: each host with its process id, then what to try. */
    static String ofProcesses(org.foobarstack.launcher.processes.ProcessStack stack) {
        org.foobarstack.topology.Topology design = stack.design();
        StringBuilder b = new StringBuilder();
        b.append("foobar-stack is up: topology ").append(design.name()).append(", every host a process of its own\n");
        b.append("\n").append(String.format("  %-10s %-12s %-8s %s%n", "host", "address", "pid", "tiers"));
        for (var process : stack.processes()) {
            var host = design.host(process.name()).orElseThrow();
            b.append(String.format("  %-10s %-12s %-8d %s%n", host.name(), host.address().getHostAddress(),
                    process.pid(), String.join(", ", host.tiers().stream()
                            .map(t -> t.role().key() + " :" + t.port()).toList())));
        }
        String base = "http://" + hostPort(stack.admin().address());
        b.append("\n").append(line("admin", base + "/  (dashboard: each host probed from outside)"));
        b.append(line("", "with host controls: " + base + "/#token=" + stack.token()));
        b.append("\nTry:\n");
        design.nameServer().ifPresent(ns -> b.append("  dig @").append(ns.address().getHostAddress()).append(" -p ")
                .append(ns.tier().port()).append(" www.foobar.com A\n"));
        design.wwwAddresses().stream().findFirst().ifPresent(www -> {
            var balancer = design.balancers().stream().findFirst();
            if (balancer.isPresent() && balancer.get().tier().tls().enabled()) {
                // the certificate authority of the balancer (of the first of a pair, which keeps it for both)
                java.nio.file.Path ca = stack.dataDirectory(balancer.get().host()).resolve("lb").resolve("tls")
                        .resolve("ca.pem");
                int port = balancer.get().tier().tls().port();
                b.append("  curl -s --cacert ").append(ca).append(" --resolve www.foobar.com:").append(port)
                        .append(':').append(www.getHostAddress()).append(" https://www.foobar.com:").append(port)
                        .append("/api/whoami     (twice: which web server answered?)\n");
                return;
            }
            int port = balancer.isEmpty() ? design.tiers(Role.WEB).get(0).tier().port()
                    : balancer.get().tier().port();
            b.append("  curl -s http://").append(www.getHostAddress()).append(':').append(port)
                    .append("/api/whoami     (twice: which web server answered?)\n");
        });
        String victim = design.hostsWith(Role.WEB).get(design.hostsWith(Role.WEB).size() - 1).name();
        b.append("  bin/foobar-stack ctl kill ").append(victim).append("      (SIGKILL to its process; then: ctl start ")
                .append(victim).append(")\n");
        b.append("  ps -o pid,rss,args -p ").append(String.join(",", stack.processes().stream()
                .map(p -> String.valueOf(p.pid())).toList())).append('\n');
        b.append("\nPress Ctrl+C to stop.\n");
        return b.toString();
    }

    private static String admin(Stack stack) {
        String base = "http://" + hostPort(stack.admin().address());
        String toxiproxy = stack.toxiproxy() == null ? "" : line("toxiproxy", "http://"
                + hostPort(stack.toxiproxy().address()) + "  (Toxiproxy's API, no token: its clients see the links "
                + "as proxies named like " + firstProxyName(stack) + ")");
        String client = stack.clientLink().map(address -> line("client", "http://" + hostPort(address)
                + "/  (the client's link to the front, through a proxy: requests sent here cross its toxics)"))
                .orElse("");
        return line("admin", base + "/  (dashboard; /metrics, /health, /api/topology, /api/traces)")
                + line("", "with host controls: " + base + "/#token=" + stack.token()
                + "  (the token is also in " + stack.tokenFile() + ")") + toxiproxy + client;
    }

    /** The name of a link in Toxiproxy's API, for the banner: the first one made (app-1_to_db-1 in simple). */
    private static String firstProxyName(Stack stack) {
        List<org.foobarstack.admin.LinkStatus> links = stack.links();
        return links.isEmpty() ? "app-1_to_db-1" : links.get(0).proxyName();
    }

    private static String line(String tier, String where) {
        return String.format("  %-11s %s%n", tier, where);
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
