package org.foobarstack.launcher.hosts;

import org.foobarstack.admin.HostStatus;
import org.foobarstack.admin.TierStatus;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One host of a running topology: a machine with its own address, running its tiers. Killing a host kills all
 * of them at once, as pulling its power cable would; starting it brings them back on the same address and
 * ports, with their data.
 *
 * <p>Its tiers start bottom up, each waiting for the one below it (monitoring server, database, name server, app
 * server, web server, load balancer), and stop top down, so that no tier of the host outlives the one it forwards
 * to. Its monitoring client, when the design has a monitoring server, pushes while every tier is up: it starts
 * last and stops first.
 */
public final class HostRuntime {

    /** Where a host is in its life. */
    public enum State { STOPPED, STARTING, RUNNING, KILLED, STOPPING }

    /** Tiers start in this order: each needs the one before it to be reachable. */
    static final List<Role> START_ORDER = List.of(Role.MONITOR, Role.DB, Role.DNS, Role.APP, Role.WEB, Role.LB);

    private final HostSpec spec;
    private final Path dataDirectory;
    private final List<TierRuntime> tiers;
    /** Its monitoring client: pushes while the host runs, in a design with a monitor tier. */
    private final MonitoringAgent monitoring;
    private volatile State state = State.STOPPED;
    private volatile long changedAtMillis = System.currentTimeMillis();

    public HostRuntime(StackContext stack, HostSpec spec, Path dataDirectory, List<TierRuntime> tiers) {
        this.spec = spec;
        this.dataDirectory = dataDirectory;
        List<TierRuntime> ordered = new ArrayList<>(tiers);
        ordered.sort(Comparator.comparingInt(t -> START_ORDER.indexOf(t.role())));
        this.tiers = List.copyOf(ordered);
        this.monitoring = new MonitoringAgent(stack, spec, this.tiers);
    }

    public String name() {
        return spec.name();
    }

    public HostSpec spec() {
        return spec;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Its tiers, in start order. */
    public List<TierRuntime> tiers() {
        return tiers;
    }

    public State state() {
        return state;
    }

    /** Wall-clock time of the last change of state. */
    public long changedAtMillis() {
        return changedAtMillis;
    }

    /**
     * For the stack's own start, which starts the tiers of all hosts together, by role (every database first),
     * rather than host by host: the host is starting.
     */
    public void markStartingFromStack() {
        setState(State.STARTING);
    }

    /** The stack's start finished: every tier of this host is up, and its monitoring client starts pushing. */
    public void markRunningFromStack() {
        monitoring.start();
        setState(State.RUNNING);
    }

    /** Its monitoring client. */
    public MonitoringAgent monitoring() {
        return monitoring;
    }

    /** The stack is about to stop every tier: the monitoring client stops first. */
    public void stopMonitoringFromStack() {
        monitoring.stop();
    }

    /** The stack stopped every tier. */
    public void markStoppedFromStack() {
        if (state != State.KILLED) {
            setState(State.STOPPED);
        }
    }

    private void setState(State next) {
        state = next;
        changedAtMillis = System.currentTimeMillis();
    }

    /**
     * Starts every tier, bottom up, each once the one before it accepts connections. A tier that fails stops
     * the ones already started again, and the error names it.
     */
    public synchronized void start(Consumer<String> progress) {
        if (state == State.RUNNING || state == State.STARTING) {
            throw new IllegalStateException(spec.name() + " is already " + state.name().toLowerCase(Locale.ROOT));
        }
        setState(State.STARTING);
        List<TierRuntime> started = new ArrayList<>();
        try {
            for (TierRuntime tier : tiers) {
                long began = System.nanoTime();
                try {
                    tier.start();
                } catch (Exception e) {
                    throw new TierStartFailure(tier, e);
                }
                started.add(tier);
                awaitAccepting(tier);
                progress.accept(String.format("  %-9s %-6s %-10s up in %d ms", spec.name(), tier.instance(),
                        tier.role().key(), (System.nanoTime() - began) / 1_000_000));
            }
            monitoring.start();
            setState(State.RUNNING);
        } catch (RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).kill();
            }
            setState(State.STOPPED);
            throw e;
        }
    }

    /** Waits until a tier's TCP port accepts a connection: "started" means a client can connect now. */
    static void awaitAccepting(TierRuntime tier) {
        InetSocketAddress address = tier.stack.probeAddress(tier.address());
        if (!org.foobarstack.launcher.PortProbe.waitUntilAccepting(address, Duration.ofSeconds(30))) {
            throw new TierStartFailure(tier, new IllegalStateException("started, but " + address
                    + " did not accept a connection within 30 s"));
        }
    }

    /** Every tier at once, top down, with resets: the host is gone. */
    public synchronized void kill() {
        monitoring.stop();
        for (int i = tiers.size() - 1; i >= 0; i--) {
            tiers.get(i).kill();
        }
        setState(State.KILLED);
    }

    /** Every tier gracefully, top down. */
    public synchronized void close() {
        if (state == State.STOPPED || state == State.KILLED) {
            return;
        }
        setState(State.STOPPING);
        monitoring.stop();
        for (int i = tiers.size() - 1; i >= 0; i--) {
            tiers.get(i).close();
        }
        setState(State.STOPPED);
    }

    /** The host with each tier probed now. */
    public HostStatus status(Duration probeTimeout) {
        // in the order the topology file lists them, which is the order a request meets them
        List<TierStatus> statuses = new ArrayList<>();
        for (org.foobarstack.topology.TierSpec listed : spec.tiers()) {
            for (TierRuntime tier : tiers) {
                if (tier.role() == listed.role()) {
                    statuses.add(tier.status(probeTimeout));
                }
            }
        }
        State now = state;
        boolean up = now == State.RUNNING && statuses.stream().allMatch(TierStatus::up);
        return new HostStatus(spec.name(), spec.address().getHostAddress(), spec.description(),
                now.name().toLowerCase(Locale.ROOT), up, statuses);
    }

    /** A tier did not start: which one, on which host, and why. */
    public static final class TierStartFailure extends RuntimeException {
        private final transient TierRuntime tier;

        TierStartFailure(TierRuntime tier, Throwable cause) {
            super(tier.instance() + " on " + tier.host().name() + ": " + cause.getMessage(), cause);
            this.tier = tier;
        }

        public TierRuntime tier() {
            return tier;
        }
    }
}
