package org.foobarstack.launcher.hosts;

import org.foobarstack.monitoring.MonitoringClient;
import org.foobarstack.monitoring.MonitoringClock;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.TierSpec;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The monitoring client of one host, in a design with a monitor tier: a program that runs on the host beside its
 * tiers, has no port of its own, and pushes the numbers of this host's tier instances (and no others) to the
 * monitoring server once a second, leaving from the host's own address.
 *
 * <p>Lifecycle, tied to its host: 1. the host's tiers start; 2. {@link #start()} makes a new client (a client runs
 * once) and it pushes from then on; 3. a kill or stop of the host stops it first, so the monitoring server hears
 * nothing more from the host and, three seconds later, says it is down; 4. the next start of the host makes a new
 * client again.
 */
public final class MonitoringAgent {

    private final StackContext stack;
    private final HostSpec host;
    private final List<TierRuntime> tiers;
    private MonitoringClient client;

    MonitoringAgent(StackContext stack, HostSpec host, List<TierRuntime> tiers) {
        this.stack = stack;
        this.host = host;
        this.tiers = List.copyOf(tiers);
    }

    /** Whether a host runs a monitoring client: every host that runs a tier other than the monitor. */
    public static boolean hasClient(HostSpec host) {
        return host.tiers().stream().map(TierSpec::role).anyMatch(role -> role != Role.MONITOR);
    }

    /** Starts pushing, if the design has a monitoring server and this host has a client; else does nothing. */
    public synchronized void start() {
        Optional<TierRuntime> server = stack.tiers(Role.MONITOR).stream().findFirst();
        if (server.isEmpty() || !hasClient(host) || client != null) {
            return;
        }
        Set<String> instances = new LinkedHashSet<>();
        tiers.stream().filter(t -> t.role() != Role.MONITOR).forEach(t -> instances.add(t.instance()));
        client = new MonitoringClient(host.name(), stack.bindAddress(host), instances, stack.metrics(),
                server.get().address(), MonitoringClock.system());
        client.start();
    }

    /** Stops pushing (the host is being killed or stopped). Safe to call twice. */
    public synchronized void stop() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** Whether it is pushing now. */
    public synchronized boolean running() {
        return client != null;
    }

    /** Pushes the current client has made, and how many of them failed. */
    public synchronized long[] pushedAndFailed() {
        return client == null ? new long[] {0, 0} : new long[] {client.pushed(), client.failed()};
    }
}
