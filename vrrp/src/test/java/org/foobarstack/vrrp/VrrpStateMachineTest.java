package org.foobarstack.vrrp;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RFC 9568 §6 state machine on a simulated LAN and a clock moved by hand, so that every timer can be checked
 * to the nanosecond. Two balancers share 127.0.0.100: lb-1 (127.0.0.10, priority 150) and lb-2 (127.0.0.20,
 * priority 100), advertising every second, and a datagram takes 1 ms from one to the other.
 */
class VrrpStateMachineTest {

    private static final InetSocketAddress LB_1 = new InetSocketAddress(ip("127.0.0.10"), 11200);
    private static final InetSocketAddress LB_2 = new InetSocketAddress(ip("127.0.0.20"), 11200);
    private static final InetAddress VIP = ip("127.0.0.100");
    private static final InetAddress STRANGER = ip("127.0.0.66");

    /** Skew_Time for priority 150 at 1 s: (256 - 150) / 256 s. */
    private static final Duration SKEW_150 = Duration.ofNanos(414_062_500);
    /** Skew_Time for priority 100 at 1 s: (256 - 100) / 256 s. */
    private static final Duration SKEW_100 = Duration.ofNanos(609_375_000);
    /** Master_Down_Interval for priority 150 at 1 s: 3 s + Skew_Time. */
    private static final Duration DOWN_150 = Duration.ofSeconds(3).plus(SKEW_150);
    /** Master_Down_Interval for priority 100 at 1 s. */
    private static final Duration DOWN_100 = Duration.ofSeconds(3).plus(SKEW_100);
    private static final Duration LATENCY = SimulatedLan.LATENCY;

    private final SimulatedLan lan = new SimulatedLan();

    private static VrrpConfig.Builder lb1() {
        return VrrpConfig.builder("VI_1").virtualRouterId(51).priority(150).local(LB_1).peer(LB_2).virtualAddress(VIP);
    }

    private static VrrpConfig.Builder lb2() {
        return VrrpConfig.builder("VI_1").virtualRouterId(51).priority(100).local(LB_2).peer(LB_1).virtualAddress(VIP);
    }

    @Test
    void aBackupThatHearsNobodyBecomesMasterAfterExactlyMasterDownInterval() {
        VrrpStateMachine lb2 = lan.add(lb2().build());
        lb2.start();
        assertThat(lb2.state()).isEqualTo(State.BACKUP);

        lan.clock.advanceTo(DOWN_100.minusNanos(1));
        assertThat(lb2.state()).isEqualTo(State.BACKUP);
        lan.clock.advance(Duration.ofNanos(1));

        assertThat(lb2.state()).isEqualTo(State.MASTER);
        SimulatedLan.Seen last = last(lan.seenAt(lb2));
        assertThat(last.at()).isEqualTo(DOWN_100);
        assertThat(last.transition().describe())
                .isEqualTo("VRRP_Instance(VI_1) Entering MASTER STATE (no advertisement for 3.6 s)");
    }

    @Test
    void theHigherPriorityWinsAndIsTheOnlyMasterFromThenOn() {
        VrrpStateMachine lb1 = lan.add(lb1().build());
        VrrpStateMachine lb2 = lan.add(lb2().build());
        lb1.start();
        lb2.start();

        for (Duration t = Duration.ZERO; t.compareTo(Duration.ofSeconds(60)) <= 0; t = t.plusMillis(10)) {
            lan.clock.advanceTo(t);
            assertThat(lan.masters()).as("masters at %s", t).isEqualTo(t.compareTo(DOWN_150) >= 0 ? 1 : 0);
        }

        assertThat(lb1.state()).isEqualTo(State.MASTER);
        assertThat(lb2.state()).isEqualTo(State.BACKUP);
        assertThat(last(lan.seenAt(lb1)).at()).isEqualTo(DOWN_150);
        assertThat(lan.seenAt(lb2)).extracting(s -> s.transition().to()).containsExactly(State.BACKUP);
        // one advertisement every second from 3.414 s on: 3.414, 4.414, ... 59.414
        assertThat(lb1.counters().advertisementsSent()).isEqualTo(57);
        assertThat(lb2.counters().advertisementsReceived()).isEqualTo(57);
        assertThat(lb2.counters().ignoredTotal()).isZero();
    }

    @Test
    void whenTheMasterCrashesTheBackupTakesOverMasterDownIntervalAfterTheLastAdvertisement() {
        VrrpConfig lb1Config = lb1().build();
        VrrpConfig lb2Config = lb2().build();
        VrrpStateMachine lb1 = lan.add(lb1Config);
        VrrpStateMachine lb2 = lan.add(lb2Config);
        lb1.start();
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(10));

        lb1.kill();
        long sentByLb1 = lb1.counters().advertisementsSent();
        lan.clock.advanceTo(Duration.ofSeconds(30));

        assertThat(lb2.state()).isEqualTo(State.MASTER);
        Duration lastHeard = lan.lastDelivered(lb1Config, lb2Config);
        SimulatedLan.Seen takeover = last(lan.seenAt(lb2));
        assertThat(takeover.at()).isEqualTo(lastHeard.plus(DOWN_100));
        assertThat(takeover.transition().describe())
                .isEqualTo("VRRP_Instance(VI_1) Entering MASTER STATE (no advertisement from 127.0.0.10 for 3.6 s)");
        assertThat(last(lan.seenAt(lb1)).transition().describe()).isEqualTo(
                "VRRP_Instance(VI_1) Entering INITIALIZE STATE (killed: stopped without a priority 0 advertisement)");
        assertThat(lb1.counters().advertisementsSent()).as("a crashed master says nothing more").isEqualTo(sentByLb1);
    }

    @Test
    void whenTheMasterShutsDownTheBackupTakesOverAfterSkewTime() {
        VrrpStateMachine lb1 = lan.add(lb1().build());
        VrrpStateMachine lb2 = lan.add(lb2().build());
        lb1.start();
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(10));

        lb1.shutdown();
        lan.clock.advanceTo(Duration.ofSeconds(20));

        SimulatedLan.Seen takeover = last(lan.seenAt(lb2));
        assertThat(takeover.transition().to()).isEqualTo(State.MASTER);
        assertThat(takeover.at()).isEqualTo(Duration.ofSeconds(10).plus(LATENCY).plus(SKEW_100));
        assertThat(takeover.transition().reason())
                .isEqualTo("127.0.0.10 left MASTER (priority 0 advertisement); took over after Skew_Time 609 ms");
        assertThat(last(lan.seenAt(lb1)).transition().to()).isEqualTo(State.INITIALIZE);
    }

    @Test
    void withPreemptTheHigherPriorityComingBackTakesOverAndTheOtherStepsDown() {
        VrrpStateMachine lb1 = lan.add(lb1().build());
        VrrpStateMachine lb2 = lan.add(lb2().build());
        lb1.start();
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(10));
        lb1.kill();
        lan.clock.advanceTo(Duration.ofSeconds(20));
        assertThat(lb2.state()).isEqualTo(State.MASTER);

        VrrpStateMachine lb1Again = lan.add(lb1().build());
        lb1Again.start();
        // it discards lb-2's advertisements (lower priority, preempt on), so its Master_Down_Timer runs out
        lan.clock.advance(DOWN_150.minusNanos(1));
        assertThat(lb1Again.state()).isEqualTo(State.BACKUP);
        lan.clock.advance(Duration.ofNanos(1));
        assertThat(lb1Again.state()).isEqualTo(State.MASTER);
        assertThat(last(lan.seenAt(lb1Again)).transition().reason())
                .isEqualTo("preempt: 127.0.0.20 advertises priority 100, below ours (150)");

        // its first advertisement reaches lb-2 one millisecond later
        lan.clock.advance(LATENCY);
        assertThat(lb2.state()).isEqualTo(State.BACKUP);
        assertThat(last(lan.seenAt(lb2)).transition().describe())
                .isEqualTo("VRRP_Instance(VI_1) Entering BACKUP STATE (higher priority 150 from 127.0.0.10 (ours 100))");

        int transitions = lan.seen().size();
        lan.clock.advance(Duration.ofSeconds(60));
        assertThat(lan.seen()).hasSize(transitions);
        assertThat(lan.masters()).isEqualTo(1);
    }

    @Test
    void withNopreemptTheHigherPriorityComingBackWaitsUntilTheMasterLeaves() {
        VrrpStateMachine lb1 = lan.add(lb1().nopreempt().build());
        VrrpStateMachine lb2 = lan.add(lb2().build());
        lb1.start();
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(10));
        assertThat(lb1.state()).as("nopreempt changes nothing when both start together").isEqualTo(State.MASTER);
        lb1.kill();
        lan.clock.advanceTo(Duration.ofSeconds(20));

        VrrpStateMachine lb1Again = lan.add(lb1().nopreempt().build());
        lb1Again.start();
        lan.clock.advanceTo(Duration.ofSeconds(80));
        assertThat(lb1Again.state()).isEqualTo(State.BACKUP);
        assertThat(lb2.state()).isEqualTo(State.MASTER);

        lb2.shutdown();
        lan.clock.advance(LATENCY.plus(SKEW_150));
        assertThat(lb1Again.state()).isEqualTo(State.MASTER);
    }

    @Test
    void equalPrioritiesAreSettledByTheHigherAddress() {
        VrrpStateMachine low = lan.add(lb1().priority(100).build());
        VrrpStateMachine high = lan.add(lb2().build());
        low.start();
        high.start();

        lan.clock.advanceTo(DOWN_100);
        assertThat(lan.masters()).as("both time out at the same instant").isEqualTo(2);
        lan.clock.advance(LATENCY);

        assertThat(high.state()).isEqualTo(State.MASTER);
        assertThat(low.state()).isEqualTo(State.BACKUP);
        assertThat(last(lan.seenAt(low)).transition().reason())
                .isEqualTo("equal priority 100 from 127.0.0.20, whose address is higher than ours (127.0.0.10)");
        lan.clock.advance(Duration.ofSeconds(60));
        assertThat(lan.masters()).isEqualTo(1);
        assertThat(high.state()).isEqualTo(State.MASTER);
    }

    @Test
    void aBackupTimesTheMasterOutByTheIntervalTheMasterAdvertises() {
        VrrpConfig slowMaster = lb1().advertInterval(Duration.ofSeconds(2)).build();
        VrrpConfig lb2Config = lb2().build();   // its own advert_int is 1 s
        VrrpStateMachine lb1 = lan.add(slowMaster);
        VrrpStateMachine lb2 = lan.add(lb2Config);
        lb1.start();
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(20));
        assertThat(lb1.state()).isEqualTo(State.MASTER);

        lb1.kill();
        lan.clock.advanceTo(Duration.ofSeconds(40));

        Duration waited = last(lan.seenAt(lb2)).at().minus(lan.lastDelivered(slowMaster, lb2Config));
        assertThat(waited).isEqualTo(VrrpTimers.masterDownInterval(100, Duration.ofSeconds(2)));
        assertThat(waited).isEqualTo(Duration.ofNanos(7_218_750_000L));
    }

    @Test
    void theAddressOwnerIsMasterFromTheStart() {
        List<String> hooks = new ArrayList<>();
        VrrpStateMachine owner = lan.add(lb1().priority(255).build(), a -> hooks.add("acquire " + a.getHostAddress()),
                a -> hooks.add("release " + a.getHostAddress()));
        owner.start();

        assertThat(owner.state()).isEqualTo(State.MASTER);
        assertThat(hooks).containsExactly("acquire 127.0.0.100");
        assertThat(last(lan.seenAt(owner)).transition().describe()).isEqualTo(
                "VRRP_Instance(VI_1) Entering MASTER STATE (priority 255: the address owner starts as MASTER)");
    }

    @Test
    void afterASplitTheLowerMasterStepsDownAsSoonAsItHearsTheHigherOne() {
        VrrpStateMachine lb1 = lan.add(lb1().build());
        VrrpStateMachine lb2 = lan.add(lb2().build());
        lan.cut();
        lb1.start();
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(10));
        assertThat(lan.masters()).as("split brain: neither hears the other").isEqualTo(2);

        // lb-2 advertises at 3.609375 + k s; lb-1 at 3.4140625 + k s. Heal between lb-1's and lb-2's.
        lan.clock.advanceTo(Duration.ofMillis(10_500));
        lan.heal();
        lan.clock.advanceTo(Duration.ofMillis(10_700));

        // lb-2's advertisement at 10.609375 reaches lb-1, which answers at once (RFC 9568 §6.4.3): lb-2 steps down
        // 2 ms after it spoke, instead of waiting for lb-1's next regular advertisement at 11.414 s.
        SimulatedLan.Seen stepDown = last(lan.seenAt(lb2));
        assertThat(stepDown.transition().to()).isEqualTo(State.BACKUP);
        assertThat(stepDown.at()).isEqualTo(Duration.ofNanos(10_609_375_000L).plus(LATENCY).plus(LATENCY));
        assertThat(lan.masters()).isEqualTo(1);
    }

    @Test
    void theHooksTakeAndLetGoOfTheAddressAsTheMastershipMoves() {
        List<String> lb1Hooks = new ArrayList<>();
        List<String> lb2Hooks = new ArrayList<>();
        VrrpStateMachine lb1 = lan.add(lb1().build(), recordTo(lb1Hooks, "acquire"), recordTo(lb1Hooks, "release"));
        VrrpStateMachine lb2 = lan.add(lb2().build(), recordTo(lb2Hooks, "acquire"), recordTo(lb2Hooks, "release"));
        lb1.start();
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(10));
        assertThat(lb1Hooks).containsExactly("acquire 127.0.0.100");
        assertThat(lb2Hooks).isEmpty();

        lb1.shutdown();
        lan.clock.advanceTo(Duration.ofSeconds(20));
        assertThat(lb1Hooks).containsExactly("acquire 127.0.0.100", "release 127.0.0.100");
        assertThat(lb2Hooks).containsExactly("acquire 127.0.0.100");
    }

    @Test
    void anAddressStillHeldByTheOldMasterIsTakenOnALaterTry() {
        int[] failuresLeft = {2};
        List<String> hooks = new ArrayList<>();
        VrrpStateMachine lb1 = lan.add(lb1().build(), a -> {
            if (failuresLeft[0]-- > 0) {
                throw new IllegalStateException("127.0.0.100:80 is still taken");
            }
            hooks.add("acquire");
        }, a -> hooks.add("release"));
        lb1.start();

        lan.clock.advanceTo(DOWN_150);
        assertThat(hooks).isEmpty();
        lan.clock.advance(Duration.ofMillis(200));   // tries again every advert_int / 10

        assertThat(hooks).containsExactly("acquire");
        assertThat(lb1.state()).isEqualTo(State.MASTER);
        lb1.shutdown();
        assertThat(hooks).containsExactly("acquire", "release");
    }

    @Test
    void anAcquireThatKeepsFailingEndsInFaultAndTheBackupTakesOverAfterSkewTime() {
        VrrpStateMachine lb1 = lan.add(lb1().build(), a -> {
            throw new IllegalStateException("cannot listen on 127.0.0.100:80");
        }, a -> { });
        VrrpStateMachine lb2 = lan.add(lb2().build());
        lb1.start();
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(30));

        assertThat(lb1.state()).isEqualTo(State.FAULT);
        SimulatedLan.Seen fault = last(lan.seenAt(lb1));
        // first failure at 3.414 s; it gives up once it has failed for a Master_Down_Interval (3.414 s),
        // at the first retry after that (one every 10 ms), 3.42 s later
        assertThat(fault.at()).isEqualTo(DOWN_150.plus(Duration.ofMillis(3_420)));
        assertThat(fault.transition().describe()).isEqualTo("VRRP_Instance(VI_1) Entering FAULT STATE (onAcquire("
                + "127.0.0.100) kept failing for 3.4 s: IllegalStateException: cannot listen on 127.0.0.100:80)");
        // the faulting master sent priority 0, so lb-2 waited only its Skew_Time
        SimulatedLan.Seen takeover = last(lan.seenAt(lb2));
        assertThat(takeover.transition().to()).isEqualTo(State.MASTER);
        assertThat(takeover.at()).isEqualTo(fault.at().plus(LATENCY).plus(SKEW_100));

        long sent = lb1.counters().advertisementsSent();
        lan.clock.advance(Duration.ofSeconds(30));
        assertThat(lb1.state()).as("FAULT lasts until the instance is closed").isEqualTo(State.FAULT);
        assertThat(lb1.counters().advertisementsSent()).isEqualTo(sent);
    }

    @Test
    void aReleaseThatFailsEndsInFault() {
        VrrpStateMachine lb2 = lan.add(lb2().build(), a -> { }, a -> {
            throw new IllegalStateException("listener will not close");
        });
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(10));
        assertThat(lb2.state()).isEqualTo(State.MASTER);

        VrrpStateMachine lb1 = lan.add(lb1().build());
        lb1.start();
        lan.clock.advanceTo(Duration.ofSeconds(20));

        assertThat(lb1.state()).isEqualTo(State.MASTER);
        assertThat(lb2.state()).isEqualTo(State.FAULT);
        assertThat(last(lan.seenAt(lb2)).transition().reason())
                .isEqualTo("onRelease(127.0.0.100) failed: IllegalStateException: listener will not close");
    }

    @Test
    void datagramsThatFailTheReceiveChecksAreCountedAndChangeNothing() {
        VrrpStateMachine lb1 = lan.add(lb1().build());
        VrrpStateMachine lb2 = lan.add(lb2().build());
        lb1.start();
        lb2.start();
        lan.clock.advanceTo(Duration.ofSeconds(10));
        int transitions = lan.seen().size();

        byte[] badChecksum = AdvertisementCodec.encode(advertisement(51, 254, VIP));
        badChecksum[7] ^= 1;
        lan.sendRaw(STRANGER, LB_1, badChecksum);
        lan.sendRaw(STRANGER, LB_1, AdvertisementCodec.encode(advertisement(52, 254, VIP)));
        lan.sendRaw(STRANGER, LB_1, AdvertisementCodec.encode(advertisement(51, 254, ip("127.0.0.101"))));
        lan.sendRaw(STRANGER, LB_1, new byte[] {0x21, 51, (byte) 254, 1});
        lan.clock.advance(Duration.ofSeconds(10));

        assertThat(lb1.state()).isEqualTo(State.MASTER);
        assertThat(lan.seen()).hasSize(transitions);
        assertThat(lb1.counters().ignored()).containsOnly(
                entry(IgnoreReason.BAD_CHECKSUM), entry(IgnoreReason.WRONG_VRID),
                entry(IgnoreReason.WRONG_ADDRESSES), entry(IgnoreReason.WRONG_LENGTH));

        // the same advertisement with a good checksum is obeyed: a higher priority, so lb-1 steps down
        lan.sendRaw(STRANGER, LB_1, AdvertisementCodec.encode(advertisement(51, 254, VIP)));
        lan.clock.advance(LATENCY);
        assertThat(lb1.state()).isEqualTo(State.BACKUP);
        assertThat(last(lan.seenAt(lb1)).transition().reason())
                .isEqualTo("higher priority 254 from 127.0.0.66 (ours 150)");
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheElection() {
        VrrpStateMachine lb2 = lan.add(lb2().build());
        lb2.onStateChange(t -> {
            throw new IllegalStateException("a broken listener");
        });
        lb2.start();
        lan.clock.advance(DOWN_100);
        assertThat(lb2.state()).isEqualTo(State.MASTER);
    }

    private static java.util.Map.Entry<IgnoreReason, Long> entry(IgnoreReason reason) {
        return java.util.Map.entry(reason, 1L);
    }

    private static Advertisement advertisement(int vrid, int priority, InetAddress address) {
        return new Advertisement(vrid, priority, 100, List.of((Inet4Address) address));
    }

    private static Consumer<InetAddress> recordTo(List<String> hooks, String what) {
        return address -> hooks.add(what + " " + address.getHostAddress());
    }

    private static <T> T last(List<T> list) {
        assertThat(list).isNotEmpty();
        return list.get(list.size() - 1);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);   // a literal: no name is looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
