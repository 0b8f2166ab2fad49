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
 * @param dashboard   a line on whether the packets went to the admin server for its dashboard
 *                    ({@link PacketsUpload}), or null before that was tried
 */
public record WalkPackets(String iface, String filter, int linkType, int captured, List<List<Packet>> byStep,
                          String note, String dashboard) {

    public WalkPackets {
        byStep = byStep.stream().map(List::copyOf).toList();
    }

    /** Packets not (yet) sent anywhere. */
    public WalkPackets(String iface, String filter, int linkType, int captured, List<List<Packet>> byStep,
                       String note) {
        this(iface, filter, linkType, captured, byStep, note, null);
    }

    /** The same packets, with the line on what became of them at the dashboard. */
    public WalkPackets withDashboard(String line) {
        return new WalkPackets(iface, filter, linkType, captured, byStep, note, line);
    }

    /** The packets of step {@code index} (0-based, as in {@link Journey#steps()}). */
    public List<Packet> ofStep(int index) {
        return index < byStep.size() ? byStep.get(index) : List.of();
    }

    /** When the walk's first packet crossed the interface, microseconds since 1970; -1 when it has none. */
    public long firstEpochMicros() {
        return byStep.stream().flatMap(List::stream).mapToLong(Packet::epochMicros).min().orElse(-1);
    }

    public int ofWalk() {
        return byStep.stream().mapToInt(List::size).sum();
    }
}
