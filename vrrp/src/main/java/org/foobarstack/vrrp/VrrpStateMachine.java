package org.foobarstack.vrrp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The state machine of RFC 9568 §6, with no network of its own: it is handed the datagrams that arrive, and it
 * hands out the datagrams to send. {@link VrrpInstance} connects it to a UDP socket; the tests connect several
 * to each other through a clock they move by hand.
 *
 * <p>Four events drive it: {@link #start()} (the RFC's Startup event), {@link #receive} (an advertisement
 * arrived), a timer firing, and {@link #shutdown()} (the RFC's Shutdown event). {@link #kill()} is the event the
 * RFC cannot have: the router is simply gone.
 *
 * <p>Not thread-safe: every method except {@link #state()}, {@link #counters()} and
 * {@link #onStateChange} must be called on the thread that runs the {@link Scheduler}'s tasks.
 */
final class VrrpStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(VrrpStateMachine.class);

    /** RFC 9568 §7.1 asks for the log of discarded packets to be rate limited: one line per reason this often. */
    static final Duration IGNORED_LOG_WINDOW = Duration.ofSeconds(10);
    /** How often a new master tries again to take an address that is still held (see {@link #tryAcquire()}): every 10 ms at advert_int 1 s, so a preempting master listens at most 10 ms after the old one lets go. */
    static final int ACQUIRE_RETRIES_PER_ADVERT_INTERVAL = 100;

    private final VrrpConfig config;
    private final Scheduler scheduler;
    private final Consumer<byte[]> send;
    private final Consumer<InetAddress> onAcquire;
    private final Consumer<InetAddress> onRelease;
    private final List<Consumer<Transition>> listeners = new CopyOnWriteArrayList<>();

    private final AtomicLong advertisementsSent = new AtomicLong();
    private final AtomicLong advertisementsReceived = new AtomicLong();
    private final AtomicLong transitions = new AtomicLong();
    private final Map<IgnoreReason, AtomicLong> ignored = new EnumMap<>(IgnoreReason.class);
    private final Map<IgnoreReason, Long> lastIgnoredWarningNanos = new EnumMap<>(IgnoreReason.class);

    private volatile State state = State.INITIALIZE;

    /** The one protocol timer: the Master_Down_Timer in BACKUP, the Adver_Timer in MASTER (RFC 9568 §6.2). */
    private final TimerSlot timer = new TimerSlot();
    /** Another go at taking the address, while a new master cannot yet. */
    private final TimerSlot acquireRetry = new TimerSlot();

    /**
     * Active_Adver_Interval (RFC 9568 §6.1): the master's interval as its advertisements say. A backup times the
     * master out by the master's interval, not by its own advert_int.
     */
    private Duration masterAdverInterval;

    // What a backup knows of the master, for the line it logs when it takes over.
    /** The sender of the last advertisement that reset the Master_Down_Timer; null before the first. */
    private InetAddress masterAddress;
    /** When that advertisement arrived, or when this instance became a backup. */
    private long lastHeardNanos;
    /** A master that sent priority 0 (it is leaving), while the Skew_Time runs. */
    private InetAddress leavingMaster;
    /** A master of lower priority whose advertisements this backup discards, to preempt it. */
    private InetAddress preemptedMaster;
    private int preemptedPriority;

    // What a master knows of the address it holds.
    private boolean holdsAddress;
    /** When taking the address first failed, or -1 while it has not. */
    private long firstAcquireFailureNanos = -1;

    /**
     * @param send      sends one datagram to every peer (unicast_peer)
     * @param onAcquire called when this instance enters MASTER: take the virtual address
     * @param onRelease called when it leaves MASTER, once for each successful {@code onAcquire}
     */
    VrrpStateMachine(VrrpConfig config, Scheduler scheduler, Consumer<byte[]> send,
                     Consumer<InetAddress> onAcquire, Consumer<InetAddress> onRelease) {
        this.config = Objects.requireNonNull(config, "config");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.send = Objects.requireNonNull(send, "send");
        this.onAcquire = Objects.requireNonNull(onAcquire, "onAcquire");
        this.onRelease = Objects.requireNonNull(onRelease, "onRelease");
        for (IgnoreReason reason : IgnoreReason.values()) {
            ignored.put(reason, new AtomicLong());
        }
    }

    VrrpConfig config() {
        return config;
    }

    State state() {
        return state;
    }

    void onStateChange(Consumer<Transition> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    Counters counters() {
        Map<IgnoreReason, Long> snapshot = new EnumMap<>(IgnoreReason.class);
        ignored.forEach((reason, count) -> {
            if (count.get() > 0) {
                snapshot.put(reason, count.get());
            }
        });
        return new Counters(advertisementsSent.get(), advertisementsReceived.get(), snapshot, transitions.get());
    }

    // ---- Initialize (RFC 9568 §6.4.1) ----

    /** The Startup event: the address owner becomes MASTER at once; everyone else becomes a BACKUP and waits. */
    void start() {
        if (state != State.INITIALIZE) {
            throw new IllegalStateException(config.name() + " is already running, in " + state);
        }
        if (config.isAddressOwner()) {
            becomeMaster("priority 255: the address owner starts as MASTER");
            return;
        }
        masterAdverInterval = config.advertInterval();
        masterAddress = null;
        lastHeardNanos = scheduler.nanoTime();
        transition(State.BACKUP, "priority " + config.priority() + ": waiting "
                + VrrpTimers.format(masterDownInterval()) + " (Master_Down_Interval) for a master's advertisement");
        timer.set(masterDownInterval(), this::masterDownTimerFired);
    }

    // ---- Receiving (RFC 9568 §7.1) ----

    /** A datagram arrived from {@code from}: check it as RFC 9568 §7.1 says, then act on it for the state we are in. */
    void receive(byte[] datagram, InetAddress from) {
        advertisementsReceived.incrementAndGet();
        Advertisement advertisement;
        try {
            advertisement = AdvertisementCodec.decode(datagram);
        } catch (MalformedAdvertisementException e) {
            ignore(e.reason(), e.getMessage(), from);
            return;
        }
        if (advertisement.virtualRouterId() != config.virtualRouterId()) {
            ignore(IgnoreReason.WRONG_VRID, "VRID " + advertisement.virtualRouterId() + ", but this instance is "
                    + "virtual_router_id " + config.virtualRouterId(), from);
            return;
        }
        // RFC 9568 §7.1 lets a receiver compare the addresses with its own (a MAY) and asks it to log a mismatch.
        // Here a mismatch is also discarded: a master of some other address is not the master of ours.
        if (!advertisement.addresses().equals(List.of(config.virtualAddress()))) {
            ignore(IgnoreReason.WRONG_ADDRESSES, "advertises " + addresses(advertisement) + ", but this "
                    + "instance's virtual_ipaddress is " + config.virtualAddress().getHostAddress(), from);
            return;
        }
        switch (state) {
            case BACKUP -> backupHears(advertisement, from);
            case MASTER -> masterHears(advertisement, from);
            case INITIALIZE, FAULT -> {
                // not taking part in the election
            }
        }
    }

    // ---- Backup (RFC 9568 §6.4.2) ----

    private void backupHears(Advertisement advertisement, InetAddress from) {
        if (advertisement.priority() == Advertisement.PRIORITY_LEAVING) {
            // The master is leaving: wait only Skew_Time, so the highest-priority backup goes first.
            leavingMaster = from;
            timer.set(skewTime(), this::masterDownTimerFired);
        } else if (!config.preempt() || advertisement.priority() >= config.priority()) {
            // A master we accept: learn its interval and start waiting for the next one all over again.
            masterAdverInterval = advertisement.maxAdvertInterval();
            masterAddress = from;
            lastHeardNanos = scheduler.nanoTime();
            leavingMaster = null;
            preemptedMaster = null;
            timer.set(masterDownInterval(), this::masterDownTimerFired);
        } else {
            // preempt, and the master's priority is below ours: discard the advertisement. The Master_Down_Timer
            // is not reset, so it runs out and this backup takes over; the old master steps down when it hears us.
            if (!from.equals(preemptedMaster)) {
                LOG.info("VRRP_Instance({}) received lower priority ({}) advert from {}, discarding it to preempt",
                        config.name(), advertisement.priority(), from.getHostAddress());
            }
            preemptedMaster = from;
            preemptedPriority = advertisement.priority();
        }
    }

    /** The Master_Down_Timer ran out: no master we accept has spoken for long enough. */
    private void masterDownTimerFired() {
        String reason;
        if (leavingMaster != null) {
            reason = leavingMaster.getHostAddress() + " left MASTER (priority 0 advertisement); took over after "
                    + "Skew_Time " + VrrpTimers.format(skewTime());
        } else if (preemptedMaster != null) {
            reason = "preempt: " + preemptedMaster.getHostAddress() + " advertises priority " + preemptedPriority
                    + ", below ours (" + config.priority() + ")";
        } else {
            String silence = VrrpTimers.format(Duration.ofNanos(scheduler.nanoTime() - lastHeardNanos));
            reason = masterAddress == null
                    ? "no advertisement for " + silence
                    : "no advertisement from " + masterAddress.getHostAddress() + " for " + silence;
        }
        becomeMaster(reason);
    }

    // ---- Master (RFC 9568 §6.4.3) ----

    /**
     * Send an advertisement (the others learn there is a master), take the address (a real router broadcasts a
     * gratuitous ARP here, so that the LAN's switches and hosts learn where the address now is), and advertise
     * again every Advertisement_Interval.
     */
    private void becomeMaster(String reason) {
        timer.cancel();
        leavingMaster = null;
        preemptedMaster = null;
        transition(State.MASTER, reason);
        sendAdvertisement(config.priority());
        timer.set(config.advertInterval(), this::adverTimerFired);
        firstAcquireFailureNanos = -1;
        tryAcquire();
    }

    private void adverTimerFired() {
        sendAdvertisement(config.priority());
        timer.set(config.advertInterval(), this::adverTimerFired);
    }

    private void masterHears(Advertisement advertisement, InetAddress from) {
        int theirs = advertisement.priority();
        int ours = config.priority();
        if (theirs == Advertisement.PRIORITY_LEAVING) {
            // Another master is leaving (for a moment there were two): tell everyone at once that we are here.
            adverTimerFired();
        } else if (theirs > ours || (theirs == ours && isHigher(from, config.local().getAddress()))) {
            // A better master: step down. Equal priorities are settled by the sender's address, compared as an
            // unsigned number, the higher winning (RFC 9568 §6.4.3).
            String reason = theirs > ours
                    ? "higher priority " + theirs + " from " + from.getHostAddress() + " (ours " + ours + ")"
                    : "equal priority " + theirs + " from " + from.getHostAddress() + ", whose address is higher "
                    + "than ours (" + config.local().getAddress().getHostAddress() + ")";
            masterAdverInterval = advertisement.maxAdvertInterval();
            masterAddress = from;
            lastHeardNanos = scheduler.nanoTime();
            leaveMaster(State.BACKUP, reason);
            if (state == State.BACKUP) {
                timer.set(masterDownInterval(), this::masterDownTimerFired);
            }
        } else {
            // A worse master: discard its advertisement, and advertise at once so that it hears us and steps down
            // (RFC 9568 §6.4.3).
            adverTimerFired();
        }
    }

    /**
     * Calls {@code onAcquire}. If it fails, the address may still be held by the master we are replacing: on a
     * real LAN two routers can hold an address for a moment (the ARP caches decide who gets the traffic), but on
     * loopback only one socket can listen on an address and port, and the old master lets go only when our first
     * advertisement reaches it. So it is tried again {@value #ACQUIRE_RETRIES_PER_ADVERT_INTERVAL} times per
     * advertisement interval, and the instance goes to FAULT only when it has failed for a whole
     * Master_Down_Interval, by which time any old master has stepped down or been given up for dead.
     */
    private void tryAcquire() {
        if (state != State.MASTER || holdsAddress) {
            return;
        }
        try {
            onAcquire.accept(config.virtualAddress());
            holdsAddress = true;
            if (firstAcquireFailureNanos >= 0) {
                LOG.info("VRRP_Instance({}) holds {} now, {} after the first try", config.name(),
                        config.virtualAddress().getHostAddress(),
                        VrrpTimers.format(Duration.ofNanos(scheduler.nanoTime() - firstAcquireFailureNanos)));
            }
        } catch (Exception e) {
            long now = scheduler.nanoTime();
            Duration limit = VrrpTimers.masterDownInterval(config.priority(), config.advertInterval());
            if (firstAcquireFailureNanos < 0) {
                firstAcquireFailureNanos = now;
                LOG.warn("VRRP_Instance({}) cannot take {} yet ({}); trying again for up to {}", config.name(),
                        config.virtualAddress().getHostAddress(), describe(e), VrrpTimers.format(limit));
            }
            Duration failingFor = Duration.ofNanos(now - firstAcquireFailureNanos);
            if (failingFor.compareTo(limit) >= 0) {
                LOG.debug("VRRP_Instance({}) onAcquire failed", config.name(), e);
                fault("onAcquire(" + config.virtualAddress().getHostAddress() + ") kept failing for "
                        + VrrpTimers.format(failingFor) + ": " + describe(e));
            } else {
                acquireRetry.set(config.advertInterval().dividedBy(ACQUIRE_RETRIES_PER_ADVERT_INTERVAL),
                        this::tryAcquire);
            }
        }
    }

    /** Leaves MASTER for {@code to}, letting go of the address; a failure to let go puts us in FAULT. */
    private void leaveMaster(State to, String reason) {
        timer.cancel();
        acquireRetry.cancel();
        transition(to, reason);
        Exception failed = release();
        if (failed != null && state != State.FAULT) {
            fault("onRelease(" + config.virtualAddress().getHostAddress() + ") failed: " + describe(failed));
        }
    }

    /** Calls {@code onRelease} if we hold the address; returns what it threw, or null. */
    private Exception release() {
        if (!holdsAddress) {
            return null;
        }
        holdsAddress = false;
        try {
            onRelease.accept(config.virtualAddress());
            return null;
        } catch (Exception e) {
            LOG.error("VRRP_Instance({}) onRelease failed, so it may still hold {}: {}", config.name(),
                    config.virtualAddress().getHostAddress(), describe(e));
            LOG.debug("VRRP_Instance({}) onRelease failed", config.name(), e);
            return e;
        }
    }

    // ---- Fault (keepalived's, not the RFC's) ----

    private void fault(String reason) {
        State from = state;
        timer.cancel();
        acquireRetry.cancel();
        if (from == State.MASTER) {
            // As keepalived does when a master goes to FAULT: say priority 0, so a backup takes over at once.
            sendAdvertisement(Advertisement.PRIORITY_LEAVING);
        }
        transition(State.FAULT, reason);
        release();
    }

    // ---- Shutdown ----

    /**
     * The Shutdown event (RFC 9568 §6.4.2, §6.4.3). A master cancels its Adver_Timer and sends an advertisement
     * with priority 0, so that a backup takes over after Skew_Time instead of the whole Master_Down_Interval; a
     * backup cancels its Master_Down_Timer. Both go back to INITIALIZE.
     */
    void shutdown() {
        switch (state) {
            case MASTER -> {
                timer.cancel();
                acquireRetry.cancel();
                sendAdvertisement(Advertisement.PRIORITY_LEAVING);
                transition(State.INITIALIZE, "shutdown: sent priority 0, a backup takes over after Skew_Time");
                release();
            }
            case BACKUP, FAULT -> {
                timer.cancel();
                acquireRetry.cancel();
                transition(State.INITIALIZE, "shutdown");
            }
            case INITIALIZE -> {
                // not running
            }
        }
    }

    /**
     * A crash: everything stops, and nothing is said. The backups find out only when Master_Down_Interval passes
     * without an advertisement. The address goes with the host (a crashed balancer's listener is gone too), so
     * {@code onRelease} is called, without any advertisement.
     */
    void kill() {
        State from = state;
        timer.cancel();
        acquireRetry.cancel();
        if (from == State.INITIALIZE) {
            return;
        }
        transition(State.INITIALIZE, "killed: stopped without a priority 0 advertisement");
        release();
    }

    // ---- helpers ----

    private void sendAdvertisement(int priority) {
        byte[] datagram = AdvertisementCodec.encode(Advertisement.of(config, priority));
        advertisementsSent.incrementAndGet();
        try {
            send.accept(datagram);
        } catch (RuntimeException e) {
            LOG.warn("VRRP_Instance({}) could not send an advertisement: {}", config.name(), describe(e));
        }
    }

    private void transition(State to, String reason) {
        State from = state;
        state = to;
        transitions.incrementAndGet();
        Transition transition = new Transition(config.name(), from, to, reason, scheduler.currentTimeMillis());
        if (to == State.FAULT) {
            LOG.warn(transition.describe());
        } else {
            LOG.info(transition.describe());
        }
        for (Consumer<Transition> listener : listeners) {
            try {
                listener.accept(transition);
            } catch (RuntimeException e) {
                LOG.warn("VRRP_Instance({}) a state change listener failed", config.name(), e);
            }
        }
    }

    private void ignore(IgnoreReason reason, String detail, InetAddress from) {
        long count = ignored.get(reason).incrementAndGet();
        long now = scheduler.nanoTime();
        Long last = lastIgnoredWarningNanos.get(reason);
        String line = "VRRP_Instance(" + config.name() + ") ignored a datagram from " + from.getHostAddress()
                + ": " + detail + " (" + reason + ", " + count + " so far)";
        if (last == null || now - last >= IGNORED_LOG_WINDOW.toNanos()) {
            lastIgnoredWarningNanos.put(reason, now);
            LOG.warn(line);
        } else {
            LOG.debug(line);
        }
    }

    private Duration skewTime() {
        return VrrpTimers.skewTime(config.priority(), masterAdverInterval);
    }

    private Duration masterDownInterval() {
        return VrrpTimers.masterDownInterval(config.priority(), masterAdverInterval);
    }

    /** {@code a > b} as unsigned numbers in network byte order. */
    private static boolean isHigher(InetAddress a, InetAddress b) {
        return Arrays.compareUnsigned(a.getAddress(), b.getAddress()) > 0;
    }

    private static String addresses(Advertisement advertisement) {
        return String.join(", ", advertisement.addresses().stream().map(InetAddress::getHostAddress).toList());
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Holds at most one scheduled task; setting it replaces the one before, and a replaced task never runs. */
    private final class TimerSlot {
        private Scheduler.Timer pending;
        private long generation;

        void set(Duration delay, Runnable task) {
            cancel();
            long mine = generation;
            pending = scheduler.schedule(delay, () -> {
                if (mine == generation) {
                    pending = null;
                    task.run();
                }
            });
        }

        void cancel() {
            generation++;
            if (pending != null) {
                pending.cancel();
                pending = null;
            }
        }
    }
}
