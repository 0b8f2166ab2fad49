package org.foobarstack.admin;

import java.util.List;

/**
 * One host of the running topology: a named machine on its own loopback address, and its tiers.
 *
 * @param name        "server-1"
 * @param address     "127.0.0.11"
 * @param description what the topology file says of it
 * @param state       "running", "starting", "stopping", "killed" or "stopped"
 * @param up          running, and every tier answered its probe just now
 * @param tiers       its tiers, each probed
 */
public record HostStatus(String name, String address, String description, String state, boolean up,
                         List<TierStatus> tiers) {

    public HostStatus {
        tiers = List.copyOf(tiers);
    }
}
