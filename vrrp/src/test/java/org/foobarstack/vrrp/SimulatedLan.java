package org.foobarstack.vrrp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * State machines wired to each other without sockets: a datagram sent to a unicast_peer arrives
 * {@link #LATENCY} later on the same {@link ManualScheduler}. The link can be {@link #cut()} and
 * {@link #heal() healed}, and every change of state is written down with the time it happened.
 */
final class SimulatedLan {

    /** How long a datagram takes from one host to another. */
    static final Duration LATENCY = Duration.ofMillis(1);

    /** A change of state, and when on the simulated clock it happened. */
    record Seen(VrrpStateMachine host, Transition transition, Duration at) {
    }

    final ManualScheduler clock = new ManualScheduler();
    private final Map<InetSocketAddress, VrrpStateMachine> hosts = new HashMap<>();
    private final Map<String, Duration> lastDelivered = new HashMap<>();
    private final List<Seen> seen = new ArrayList<>();
    private boolean cut;

    /** A host with hooks that do nothing. */
    VrrpStateMachine add(VrrpConfig config) {
        return add(config, address -> { }, address -> { });
    }

    /** A host at {@code config.local()}, replacing whatever was there (a host that comes back). */
    VrrpStateMachine add(VrrpConfig config, Consumer<InetAddress> onAcquire, Consumer<InetAddress> onRelease) {
        VrrpStateMachine machine = new VrrpStateMachine(config, clock, datagram -> sendToPeers(config, datagram),
                onAcquire, onRelease);
        machine.onStateChange(t -> seen.add(new Seen(machine, t, clock.elapsed())));
        hosts.put(config.local(), machine);
        return machine;
    }

    /** Sends {@code datagram} from {@code from} to {@code to}, as a stranger on the LAN would. */
    void sendRaw(InetAddress from, InetSocketAddress to, byte[] datagram) {
        clock.schedule(LATENCY, () -> hosts.get(to).receive(datagram, from));
    }

    /** From now on, nothing sent arrives (a cable pulled between the balancers). */
    void cut() {
        cut = true;
    }

    void heal() {
        cut = false;
    }

    /** Every change of state so far, in order. */
    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** The changes of state of {@code host}. */
    List<Seen> seenAt(VrrpStateMachine host) {
        return seen.stream().filter(s -> s.host() == host).toList();
    }

    /** When the last datagram from {@code from} reached {@code to}. */
    Duration lastDelivered(VrrpConfig from, VrrpConfig to) {
        return lastDelivered.get(from.local() + ">" + to.local());
    }

    /** How many hosts are MASTER now. */
    long masters() {
        return hosts.values().stream().filter(m -> m.state() == State.MASTER).count();
    }

    private void sendToPeers(VrrpConfig from, byte[] datagram) {
        if (cut) {
            return;
        }
        for (InetSocketAddress peer : from.peers()) {
            clock.schedule(LATENCY, () -> {
                VrrpStateMachine to = hosts.get(peer);
                if (to != null && !cut) {
                    lastDelivered.put(from.local() + ">" + peer, clock.elapsed());
                    to.receive(datagram, from.local().getAddress());
                }
            });
        }
    }
}
