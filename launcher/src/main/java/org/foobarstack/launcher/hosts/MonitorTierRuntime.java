package org.foobarstack.launcher.hosts;

import org.foobarstack.admin.TierProbe;
import org.foobarstack.admin.TierStatus;
import org.foobarstack.monitoring.AlertState;
import org.foobarstack.monitoring.MonitoringConfig;
import org.foobarstack.monitoring.MonitoringServer;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.MonitorTier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The monitor tier of a host: the monitoring server every other host's {@link MonitoringAgent} pushes to. It is
 * told which hosts to expect (every host of the design that has a client), so that a host whose client never
 * starts is shown down, as Prometheus shows a target it cannot scrape.
 */
public final class MonitorTierRuntime extends ServerTierRuntime<MonitoringServer> {

    private final MonitorTier monitor;

    public MonitorTierRuntime(StackContext stack, HostSpec host, MonitorTier spec) {
        super(stack, host, spec, MonitoringServer::close, MonitoringServer::close, MonitoringServer::running);
        this.monitor = spec;
    }

    /** The hosts that push here: every host of the design that runs a tier other than a monitor. */
    static Set<String> monitoredHosts(StackContext stack) {
        Set<String> hosts = new LinkedHashSet<>();
        for (HostSpec host : stack.topology().hosts()) {
            if (MonitoringAgent.hasClient(host)) {
                hosts.add(host.name());
            }
        }
        return hosts;
    }

    @Override
    public void start() {
        MonitoringServer fresh = new MonitoringServer(MonitoringConfig.builder()
                .serverName(instance)
                .bindAddress(stack.bindAddress(host).getHostAddress())
                .port(portToBind())
                .highRequestRate(monitor.highRequestRate())
                .replicationLagSeconds(monitor.replicationLag().toMillis() / 1000.0)
                .expectedHosts(monitoredHosts(stack))
                .acceptFilter(stack.firewall(host).acceptFilter())
                .build());
        try {
            fresh.start();
        } catch (IOException e) {
            throw new UncheckedIOException("the monitoring server could not bind " + host.address().getHostAddress()
                    + ":" + portToBind(), e);
        }
        started(fresh, fresh.address().getPort());
    }

    @Override
    public TierStatus status(Duration probeTimeout) {
        InetSocketAddress address = address();
        MonitoringServer current = server();
        boolean up = current != null && current.running() && TierProbe.tcp(address, probeTimeout);
        long firing = current == null ? 0 : current.alerts().stream()
                .filter(a -> a.state() == AlertState.FIRING).count();
        long hostsUp = current == null ? 0 : current.hosts().stream().filter(h -> h.up()).count();
        return new TierStatus("monitor", instance, "monitoring server", "HTTP",
                List.of(hostPort(address) + "/tcp http (push, /metrics)"), up,
                Map.of("hosts up", hostsUp, "alerts firing", firing), references(), null);
    }
}
