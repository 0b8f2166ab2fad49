package org.foobarstack.vrrp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Listens to the state changes of several instances: keeps them in order with the moment each was heard, wakes
 * up whoever waits for one, and keeps count of how many instances are MASTER, so that a test can ask "was there
 * ever more or less than one?".
 */
final class TransitionLog {

    /** A change of state of {@code host}, heard at {@code nanos} ({@link System#nanoTime()}). */
    record Seen(String host, Transition transition, long nanos) {
        State to() {
            return transition.to();
        }
    }

    private final List<Seen> seen = new ArrayList<>();
    private int masters;
    private int mostMasters;
    private int fewestMasters;

    /** Hears the changes of {@code instance}, named {@code host} in this log. */
    void listenTo(String host, VrrpInstance instance) {
        instance.onStateChange(t -> heard(host, t));
    }

    private synchronized void heard(String host, Transition transition) {
        seen.add(new Seen(host, transition, System.nanoTime()));
        if (transition.from() == State.MASTER) {
            masters--;
        }
        if (transition.to() == State.MASTER) {
            masters++;
        }
        mostMasters = Math.max(mostMasters, masters);
        fewestMasters = Math.min(fewestMasters, masters);
        notifyAll();
    }

    /** Where the log is now; {@link #mostMastersSinceMark()} and the like count from here. */
    synchronized int mark() {
        mostMasters = masters;
        fewestMasters = masters;
        return seen.size();
    }

    synchronized int masters() {
        return masters;
    }

    synchronized int mostMastersSinceMark() {
        return mostMasters;
    }

    synchronized int fewestMastersSinceMark() {
        return fewestMasters;
    }

    /** The changes heard since {@code mark}. */
    synchronized List<Seen> since(int mark) {
        return List.copyOf(seen.subList(mark, seen.size()));
    }

    /** Waits for {@code host} to enter {@code state} (at or after {@code mark}) and returns that change. */
    synchronized Seen await(int mark, String host, State state, Duration timeout) throws InterruptedException {
        Predicate<Seen> wanted = s -> s.host().equals(host) && s.to() == state;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Seen s : seen.subList(mark, seen.size())) {
                if (wanted.test(s)) {
                    return s;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(host + " did not enter " + state + " within " + timeout.toMillis()
                        + " ms; heard: " + describe(seen.subList(mark, seen.size())));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized Seen await(String host, State state, Duration timeout) throws InterruptedException {
        return await(0, host, state, timeout);
    }

    /** Waits for {@code host} to enter {@code state} after the change {@code after}. */
    synchronized Seen awaitAfter(Seen after, String host, State state, Duration timeout) throws InterruptedException {
        return await(seen.indexOf(after) + 1, host, state, timeout);
    }

    private static String describe(List<Seen> seen) {
        return seen.stream().map(s -> s.host() + ": " + s.transition().describe()).toList().toString();
    }
}
