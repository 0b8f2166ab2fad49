package org.foobarstack.launcher.hosts;

import org.foobarstack.admin.TierProbe;
import org.foobarstack.admin.TierStatus;
import org.foobarstack.doh.DohHandler;
import org.foobarstack.http.WebServer;
import org.foobarstack.http.WebServerConfig;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.WebTier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The web tier of a host: static files, {@code /api/*} to the app tier the topology names, DNS over HTTPS at
 * {@code /dns-query} forwarding to the topology's name server, and {@code /health} for load balancers. Its
 * certificates and site live in {@code <host dir>/web}.
 */
public final class WebTierRuntime extends ServerTierRuntime<WebServer> {

    private static final Duration DOH_TIMEOUT = Duration.ofSeconds(3);

    private final WebTier web;
    private int boundHttpsPort;

    public WebTierRuntime(StackContext stack, HostSpec host, WebTier spec) {
        super(stack, host, spec, WebServer::kill, WebServer::close, WebServer::running);
        this.web = spec;
    }

    @Override
    public void start() {
        TierRuntime appTier = stack.tier(web.appHost(), Role.APP);
        InetSocketAddress app = stack.route(this, appTier, appTier.address());
        WebServer fresh = new WebServer(WebServerConfig.builder()
                .bindAddress(stack.bindAddress(host).getHostAddress())
                .httpPort(portToBind())
                .httpsEnabled(web.hasHttps())
                .httpsPort(web.hasHttps() ? portToBind(boundHttpsPort, web.httpsPort()) : 0)
                .dataDirectory(stack.dataDirectory(host).resolve("web"))
                .appServerAddress(app)
                .siteDomain(stack.topology().domain())
                .serverName(instance)
                .traceRecorder(stack.recorder(Role.WEB, instance))
                .metrics(stack.metrics())
                .acceptFilter(stack.firewall(host).acceptFilter())
                .build());
        DohHandler forwarder = null;
        if (stack.nameServer().isPresent()) {
            // DNS over HTTPS (RFC 8484): browsers do not ask a DNS server on port 5300, but they can be told to
            // ask https://.../dns-query, which forwards to the topology's name server. The web server closes it
            // with itself.
            forwarder = new DohHandler(stack.nameServer().get().address(), fresh.traceRecorder(), DOH_TIMEOUT,
                    stack.bindAddress(host));
            fresh.addRoute(DohHandler.PATH, forwarder);
        }
        try {
            fresh.start();
        } catch (IOException e) {
            if (forwarder != null) {
                forwarder.close();
            }
            throw new UncheckedIOException(e.getMessage(), e);
        }
        synchronized (this) {
            boundHttpsPort = fresh.httpsAddress() == null ? 0 : fresh.httpsAddress().getPort();
        }
        started(fresh, fresh.httpAddress().getPort());
        // the home page names the stack that serves it: its ports, its www record, its tiers
        SiteFacts.write(fresh.documentRoot(), SiteFacts.json(stack, this, fresh.httpsAddress(), web.appHost()));
    }

    /** The HTTPS address, or null when the tier serves plain HTTP only. */
    public synchronized InetSocketAddress httpsAddress() {
        return web.hasHttps() ? new InetSocketAddress(host.address(), portToBind(boundHttpsPort, web.httpsPort()))
                : null;
    }

    @Override
    public TierStatus status(Duration probeTimeout) {
        InetSocketAddress address = address();
        WebServer current = server();
        List<String> endpoints = new ArrayList<>();
        endpoints.add(hostPort(address) + "/tcp http");
        InetSocketAddress https = httpsAddress();
        if (https != null) {
            endpoints.add(hostPort(https) + "/tcp https");
        }
        boolean up = current != null && current.running() && TierProbe.tcp(address, probeTimeout);
        return new TierStatus("web", instance, "web server", "HTTP/1.1", endpoints, up,
                Map.of("connections", current == null ? 0L : (long) current.openConnections()), references());
    }
}
