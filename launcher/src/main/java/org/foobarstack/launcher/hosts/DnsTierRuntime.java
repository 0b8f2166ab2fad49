package org.foobarstack.launcher.hosts;

import org.foobarstack.admin.TierProbe;
import org.foobarstack.admin.TierStatus;
import org.foobarstack.dns.DnsServer;
import org.foobarstack.dns.DnsServerConfig;
import org.foobarstack.topology.DnsTier;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The dns tier of a host: the authoritative name server for the topology's domain, serving the zone written from
 * the topology ({@link TopologyZone}) into {@code <host dir>/dns/zones/<domain>.zone}, where a learner can read
 * it (and edit it: the server reloads a changed file within two seconds; the next start writes it anew).
 */
public final class DnsTierRuntime extends ServerTierRuntime<DnsServer> {


    public DnsTierRuntime(StackContext stack, HostSpec host, DnsTier spec) {
        super(stack, host, spec, DnsServer::kill, DnsServer::close, DnsServer::running);
    }

    /** Where the zone file is written. */
    public Path zonesDirectory() {
        return stack.dataDirectory(host).resolve("dns").resolve("zones");
    }

    private int generation;

    private synchronized String zoneText() {
        return TopologyZone.text(stack.topology(), stack.dbCluster(), generation);
    }

    /**
     * Writes the zone again (the databases' names changed: a promotion, a re-attachment) and has the server load
     * it at once, without waiting for its watch of the zone directory.
     */
    public void republishZone() {
        synchronized (this) {
            generation++;
        }
        Path zone = zonesDirectory().resolve(stack.topology().domain() + ".zone");
        try {
            Files.writeString(zone, zoneText());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the zone " + zone, e);
        }
        DnsServer current = server();
        if (current != null && current.running()) {
            current.reload();
        }
    }

    @Override
    public void start() {
        Path zones = zonesDirectory();
        String domain = stack.topology().domain();
        try {
            Files.createDirectories(zones);
            Files.writeString(zones.resolve(domain + ".zone"), zoneText());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the zone of " + domain + " into " + zones, e);
        }
        List<InetAddress> www = stack.topology().wwwAddresses();
        DnsServer fresh = new DnsServer(DnsServerConfig.builder()
                .bindAddress(stack.bindAddress(host))
                .port(portToBind())
                .zonesDirectory(zones)
                .webAddress(www.isEmpty() ? host.address() : www.get(0))
                .instanceName(instance)
                .traceRecorder(stack.recorder(Role.DNS, instance))
                .metrics(stack.metrics())
                .acceptFilter(stack.firewall(host).acceptFilter())
                .datagramFilter(stack.firewall(host).datagramFilter(this::address))
                .build());
        fresh.start();
        started(fresh, fresh.udpAddress().getPort());
    }

    @Override
    public TierStatus status(Duration probeTimeout) {
        InetSocketAddress address = address();
        DnsServer current = server();
        boolean up = current != null && current.running()
                && TierProbe.dns(address, stack.topology().domain() + ".", probeTimeout);
        return new TierStatus("dns", instance, "DNS server", "DNS",
                List.of(hostPort(address) + "/udp dns", hostPort(address) + "/tcp dns"), up,
                Map.of("queries", current == null ? 0L : current.stats().queries()));
    }
}
