package org.foobarstack.launcher;

import java.time.Duration;
import java.util.List;
import org.foobarstack.topology.CheckType;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbMode;
import org.foobarstack.topology.LbServer;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.RetryOn;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.WebTier;

/**
 * A topology's load balancer written as an {@code haproxy.cfg}, so that HAProxy can stand in for it: the same
 * addresses and ports, servers, algorithm, checks, retries, timeouts and, with {@code https:}, the same TLS
 * termination, redirect and HSTS. The balancer's own keys were named after HAProxy's, so each line here is the
 * key of the topology file it comes from.
 */
final class HaproxyConfig {

    private HaproxyConfig() {
    }

    /**
     * @param design the topology
     * @param lbHost the host whose lb tier to write
     * @param crt    the PEM file with the site's certificate chain and its key (HAProxy's {@code crt}), for a
     *               balancer with {@code https:}
     * @param webCa  the certificate authority of a web server's HTTPS (its {@code ca.pem}), for a balancer that
     *               encrypts again to the servers
     */
    static String render(Topology design, HostSpec lbHost, String crt,
                         java.util.function.Function<String, String> webCa) {
        LbTier lb = lbHost.tier(LbTier.class).orElseThrow(() -> new IllegalArgumentException(lbHost.name()
                + " runs no load balancer"));
        String address = lbHost.address().getHostAddress();
        boolean http = lb.mode() == LbMode.HTTP;
        StringBuilder b = new StringBuilder();
        b.append("# ").append(design.name()).append(": ").append(lbHost.name())
                .append("'s load balancer, written for HAProxy by foobar-stack export haproxy.\n");
        b.append("# Check it with: haproxy -c -f FILE   Run it with: haproxy -f FILE (stop foobar-stack's ")
                .append(lbHost.name()).append(" first: same address and ports)\n");
        b.append("global\n    log stdout format raw local0\n\n");
        b.append("defaults\n");
        b.append("    mode ").append(lb.mode().key()).append('\n');
        b.append("    log global\n");
        b.append("    timeout connect ").append(millis(lb.timeouts().connect())).append('\n');
        b.append("    timeout client ").append(millis(lb.timeouts().client())).append('\n');
        b.append("    timeout server ").append(millis(lb.timeouts().server())).append('\n');
        b.append("    timeout check ").append(millis(lb.check().timeout())).append('\n');
        b.append('\n');
        b.append("frontend www\n");
        b.append("    bind ").append(address).append(':').append(lb.port()).append('\n');
        if (lb.tls().enabled()) {
            b.append("    bind ").append(address).append(':').append(lb.tls().port()).append(" ssl crt ").append(crt)
                    .append(" alpn http/1.1\n");
            if (lb.tls().redirect()) {
                // "redirect scheme https" keeps the Host's port (8080): name the https port instead, unless it is 443
                b.append(lb.tls().port() == 443 ? "    http-request redirect scheme https code 301 unless { ssl_fc }\n"
                        : "    http-request redirect location https://%[req.hdr(host),field(1,:)]:" + lb.tls().port()
                        + "%[capture.req.uri] code 301 unless { ssl_fc }\n");
            }
            if (lb.tls().hstsMaxAge() > 0) {
                b.append("    http-response set-header Strict-Transport-Security \"max-age=")
                        .append(lb.tls().hstsMaxAge()).append("\" if { ssl_fc }\n");
            }
        }
        if (http) {
            b.append("    option forwardfor\n");
        }
        b.append("    default_backend servers\n\n");
        b.append("backend servers\n");
        b.append("    balance ").append(lb.balance().key()).append('\n');
        // its connections to the servers leave from the balancer's own address, which their firewalls let in
        b.append("    source ").append(address).append('\n');
        if (lb.check().type() == CheckType.HTTP && http) {
            b.append("    option httpchk GET ").append(lb.check().path()).append('\n');
            b.append("    http-check expect status 200\n");
        }
        b.append("    retries ").append(lb.retries()).append('\n');
        if (lb.redispatch()) {
            b.append("    option redispatch\n");
        }
        if (http) {
            b.append("    retry-on ").append(String.join(" ", lb.retryOn().stream().map(RetryOn::key).toList()))
                    .append('\n');
        }
        b.append("    default-server inter ").append(millis(lb.check().inter())).append(" rise ")
                .append(lb.check().rise()).append(" fall ").append(lb.check().fall()).append('\n');
        for (LbServer server : lb.servers()) {
            HostSpec host = design.host(server.host()).orElseThrow();
            WebTier web = host.tier(WebTier.class).orElseThrow();
            boolean tls = lb.tls().toServers();
            b.append("    server ").append(server.host()).append(' ').append(host.address().getHostAddress())
                    .append(':').append(tls ? web.httpsPort() : web.port())
                    .append(" weight ").append(server.weight())
                    .append(server.check() ? " check" : "")
                    .append(server.backup() ? " backup" : "")
                    .append(tls ? " ssl verify required ca-file " + webCa.apply(server.host()) + " verifyhost www."
                            + design.domain() + " sni str(www." + design.domain() + ")" + (server.check()
                            ? " check-ssl" : "") : "")
                    .append('\n');
        }
        if (lb.hasStats()) {
            b.append('\n').append("listen stats\n");
            b.append("    mode http\n");
            b.append("    bind ").append(address).append(':').append(lb.statsPort()).append('\n');
            b.append("    stats enable\n    stats uri /stats\n    stats refresh 5s\n");
        }
        return b.toString();
    }

    private static String millis(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    static List<HostSpec> balancers(Topology design) {
        return design.balancers().stream().map(p -> p.host()).toList();
    }
}
