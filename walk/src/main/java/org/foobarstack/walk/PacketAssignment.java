package org.foobarstack.walk;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Protocol;
import org.foobarstack.walk.packet.Packet;
import org.foobarstack.walk.packet.TcpHeader;

/**
 * Which captured packets are the walk's, and which step each belongs to.
 *
 * <p>A packet is the walk's when it travels between a step's socket ({@link SocketFlow}: transport and the
 * walk's local port) and that socket's server port. Within one socket's packets:
 * <ul>
 *   <li>UDP: the datagram the walk sent goes with the step that sent it, the answer with the step that
 *       received it.</li>
 *   <li>TCP: the three-way handshake (SYN, SYN-ACK, ACK; RFC 9293 §3.5) goes with the socket's first step
 *       (the connect). A segment carrying the walk's data goes with the last of the socket's steps that had
 *       begun when it crossed the interface (the TLS handshake, then the HTTP request). A segment carrying the
 *       server's data moves on from a step that sent to the next step that receives (the response). A segment
 *       without data (an ACK, a FIN, a RST) stays with the step of the segment before it.</li>
 * </ul>
 */
final class PacketAssignment {

    private PacketAssignment() {
    }

    /**
     * @param epochMicros turns a hop's {@code System.nanoTime()} reading into the capture's clock
     *                    (microseconds since 1970)
     */
    static List<List<Packet>> byStep(List<WalkStep> steps, List<Packet> packets, LongUnaryOperator epochMicros) {
        List<List<Packet>> byStep = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            byStep.add(new ArrayList<>());
        }
        for (SocketFlow flow : flows(steps)) {
            List<Integer> flowSteps = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                if (flow.equals(steps.get(i).flow())) {
                    flowSteps.add(i);
                }
            }
            List<Packet> flowPackets = ofFlow(flow, packets);
            if (flow.transport().equals("UDP")) {
                for (Packet packet : flowPackets) {
                    Direction direction = packet.sentFrom(flow.localPort()) ? Direction.SENT : Direction.RECEIVED;
                    byStep.get(firstWithDirection(steps, flowSteps, direction)).add(packet);
                }
            } else {
                tcp(steps, flowSteps, flow, flowPackets, epochMicros, byStep);
            }
        }
        return byStep;
    }

    private static void tcp(List<WalkStep> steps, List<Integer> flowSteps, SocketFlow flow, List<Packet> packets,
                            LongUnaryOperator epochMicros, List<List<Packet>> byStep) {
        int current = 0;
        boolean handshakeDone = false;
        for (Packet packet : packets) {
            boolean fromWalk = packet.sentFrom(flow.localPort());
            if (!handshakeDone) {
                // SYN, SYN-ACK, then the walk's ACK without data completes the handshake
                if (fromWalk && !packet.hasTcpFlag(TcpHeader.SYN)) {
                    handshakeDone = true;
                    if (packet.payloadLength() == 0) {
                        byStep.get(flowSteps.get(0)).add(packet);
                        continue;
                    }
                } else {
                    byStep.get(flowSteps.get(0)).add(packet);
                    continue;
                }
            }
            if (packet.payloadLength() > 0 && fromWalk) {
                for (int i = current; i < flowSteps.size(); i++) {
                    if (epochMicros.applyAsLong(steps.get(flowSteps.get(i)).hop().startNanos()) <= packet.epochMicros()) {
                        current = i;
                    }
                }
            } else if (packet.payloadLength() > 0) {
                WalkStep step = steps.get(flowSteps.get(current));
                boolean sending = step.hop().direction() == Direction.SENT;
                boolean tls = step.hop().protocol() == Protocol.TLS;
                if (sending && !tls) {
                    for (int i = current + 1; i < flowSteps.size(); i++) {
                        if (steps.get(flowSteps.get(i)).hop().direction() == Direction.RECEIVED) {
                            current = i;
                            break;
                        }
                    }
                }
            }
            byStep.get(flowSteps.get(current)).add(packet);
        }
    }

    private static int firstWithDirection(List<WalkStep> steps, List<Integer> flowSteps, Direction direction) {
        for (int index : flowSteps) {
            if (steps.get(index).hop().direction() == direction) {
                return index;
            }
        }
        return flowSteps.get(0);
    }

    /** The sockets the walk used, in the order of their first step. */
    static List<SocketFlow> flows(List<WalkStep> steps) {
        List<SocketFlow> flows = new ArrayList<>();
        for (WalkStep step : steps) {
            if (step.flow() != null && !flows.contains(step.flow())) {
                flows.add(step.flow());
            }
        }
        return flows;
    }

    /** The packets between the walk's socket and its server's port, in capture order. */
    static List<Packet> ofFlow(SocketFlow flow, List<Packet> packets) {
        int server = flow.remote().getPort();
        List<Packet> mine = new ArrayList<>();
        for (Packet packet : packets) {
            if (!packet.transport().equals(flow.transport()) || packet.source() == null) {
                continue;
            }
            boolean out = packet.source().port() == flow.localPort() && packet.destination().port() == server;
            boolean in = packet.source().port() == server && packet.destination().port() == flow.localPort();
            if (out || in) {
                mine.add(packet);
            }
        }
        return mine;
    }

    /**
     * Whether the capture holds the end of the socket's traffic: for TCP both FINs and the ACK of the later one
     * (RFC 9293 §3.6), or a RST; for UDP as many datagrams as the socket's steps.
     */
    static boolean isOver(SocketFlow flow, List<WalkStep> steps, List<Packet> packets) {
        List<Packet> mine = ofFlow(flow, packets);
        if (flow.transport().equals("UDP")) {
            long flowSteps = steps.stream().filter(step -> flow.equals(step.flow())).count();
            return mine.size() >= flowSteps;
        }
        boolean walkFin = false;
        boolean serverFin = false;
        for (Packet packet : mine) {
            if (packet.hasTcpFlag(TcpHeader.RST)) {
                return true;
            }
            boolean fromWalk = packet.sentFrom(flow.localPort());
            if (walkFin && serverFin && packet.hasTcpFlag(TcpHeader.ACK) && !packet.hasTcpFlag(TcpHeader.FIN)) {
                return true;
            }
            if (packet.hasTcpFlag(TcpHeader.FIN)) {
                walkFin |= fromWalk;
                serverFin |= !fromWalk;
            }
        }
        return false;
    }
}
