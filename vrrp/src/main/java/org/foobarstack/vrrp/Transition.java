package org.foobarstack.vrrp;

/**
 * One change of state, as the listeners of {@link VrrpInstance#onStateChange} hear it.
 *
 * @param instance the instance's name ("VI_1")
 * @param from     the state it left
 * @param to       the state it entered
 * @param reason   why, in words: "no advertisement from 127.0.0.11 for 3.6 s"
 * @param atMillis when, in milliseconds since the epoch
 */
public record Transition(String instance, State from, State to, String reason, long atMillis) {

    /**
     * The line keepalived would log: {@code VRRP_Instance(VI_1) Entering MASTER STATE (no advertisement from
     * 127.0.0.11 for 3.6 s)}.
     */
    public String describe() {
        String line = "VRRP_Instance(" + instance + ") Entering " + to + " STATE";
        return reason == null || reason.isEmpty() ? line : line + " (" + reason + ")";
    }
}
