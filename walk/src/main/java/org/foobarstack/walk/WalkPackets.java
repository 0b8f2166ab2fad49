package org.foobarstack.walk;

import java.util.List;
import org.foobarstack.walk.packet.Packet;

/**
 * The packets of a walk ({@code --packets}), each under the client step it belongs to.
 *
 * @param iface       the interface captured on
 * @param filter      the BPF filter tcpdump was given
 * @param linkType    the capture's link type (1: Ethernet, which is what Linux's loopback pretends to be)
 * @param captured    how many packets tcpdump captured in all (the filter lets through other clients' too)
 * @param byStep      for each of the journey's steps, in the same order, its packets
 * @param note        a line on what may be missing, or null
 */
public record WalkPackets(String iface, String filter, int linkType, int captured, List<List<Packet>> byStep,
                          String note) {

    public WalkPackets {
        byStep = byStep.stream().map(List::copyOf).toList();
    }

    /** The packets of step {@code index} (0-based, as in {@link Journey#steps()}). */
    public List<Packet> ofStep(int index) {
        return index < byStep.size() ? byStep.get(index) : List.of();
    }

    public int ofWalk() {
        return byStep.stream().mapToInt(List::size).sum();
    }
}
