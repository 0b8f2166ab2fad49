package org.foobarstack.walk;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.walk.packet.Packet;
import org.foobarstack.walk.packet.PacketLayer;

/**
 * The human form of a journey: each hop numbered, with its timing, its dig or curl transcript, and its
 * field tree; then the server side's hops with their fields.
 *
 * <pre>
 * [3] client/walk  HTTP sent  GET / HTTP/1.1 (traceparent 00-...)         +1.204 ms  took 0.051 ms
 *     &gt; GET / HTTP/1.1
 *     ...
 *     fields:
 *       Request line [0+16]: GET / HTTP/1.1
 *         Method [0+3]: GET
 * </pre>
 * {@code [0+16]} reads "offset 0, length 16" in the message's bytes.
 */
public final class TextRenderer {

    private final boolean showFields;

    public TextRenderer() {
        this(true);
    }

    public TextRenderer(boolean showFields) {
        this.showFields = showFields;
    }

    public String render(Journey journey) {
        List<String> out = new ArrayList<>();
        WalkRequest request = journey.request();
        out.add("walk " + request.method() + " " + request.url());
        out.add("  trace " + journey.context().traceId() + "  request " + journey.context().requestId()
                + "  traceparent " + journey.context().toHeader());
        out.add("  DNS server " + request.dns().getHostString() + ":" + request.dns().getPort());
        WalkPackets captured = journey.packets();
        if (captured != null) {
            out.add("  packets: " + captured.ofWalk() + " of the walk's sockets, captured on " + captured.iface()
                    + " by tcpdump (filter '" + captured.filter() + "', link type " + captured.linkType() + ")");
            if (captured.note() != null) {
                out.add("  packets: " + captured.note());
            }
            if (captured.dashboard() != null) {
                out.add("  packets: " + captured.dashboard());
            }
        }
        out.add("");
        long origin = journey.steps().isEmpty() ? 0 : journey.steps().get(0).hop().startNanos();
        long packetOrigin = captured == null ? 0 : Math.max(0, captured.firstEpochMicros());
        int number = 1;
        for (int i = 0; i < journey.steps().size(); i++) {
            WalkStep step = journey.steps().get(i);
            out.add(heading(number++, step.hop(), origin));
            for (String line : step.transcript()) {
                out.add("    " + line);
            }
            fields(out, step.hop().fields());
            if (captured != null && step.flow() != null) {
                packets(out, captured.ofStep(i), packetOrigin);
            }
            out.add("");
        }
        if (journey.failure() != null) {
            out.add("walk stopped: " + journey.failure().description() + ": " + journey.failureMessage()
                    + " (exit code " + journey.exitCode() + ")");
        } else {
            out.add("response: " + journey.status() + " after " + millis(lastEnd(journey) - origin) + " ms");
        }
        if (journey.serverNote() != null) {
            out.add("");
            out.add("server side: " + journey.serverNote());
            if (journey.serverTrace() != null && !journey.serverTrace().isEmpty()) {
                long serverOrigin = journey.serverTrace().hops().get(0).startNanos();
                out.add("");
                for (Hop hop : journey.serverTrace().hops()) {
                    out.add(heading(number++, hop, serverOrigin));
                    fields(out, hop.fields());
                    out.add("");
                }
            }
        }
        return String.join("\n", out) + "\n";
    }

    private static String heading(int number, Hop hop, long origin) {
        return String.format("[%d] %s/%s  %s %s  %s%s  +%s ms  took %s ms", number, hop.tier(), hop.instance(),
                hop.protocol(), hop.direction().word(), hop.summary(),
                hop.peer().isEmpty() ? "" : "  peer " + hop.peer(),
                millis(hop.startNanos() - origin), millis(hop.durationNanos()));
    }

    private void fields(List<String> out, List<Field> fields) {
        if (!showFields || fields.isEmpty()) {
            return;
        }
        out.add("    fields:");
        for (Field field : fields) {
            field(out, field, 6);
        }
    }

    private static void field(List<String> out, Field field, int indent) {
        String range = field.hasOffset() ? " [" + field.offset() + "+" + field.length() + "]" : "";
        out.add(" ".repeat(indent) + field.name() + range + ": " + field.value());
        for (Field child : field.children()) {
            field(out, child, indent + 2);
        }
    }

    /**
     * A step's packets: one line each like Wireshark's packet list (number in the capture file, time since the
     * walk's first packet, addresses, the info column), then its headers layer by layer.
     */
    private void packets(List<String> out, List<Packet> packets, long origin) {
        out.add("    packets: " + packets.size());
        for (Packet packet : packets) {
            out.add(String.format("      #%d  +%s ms  %s -> %s  %d bytes  %s", packet.number(),
                    millis((packet.epochMicros() - origin) * 1000), packet.source(), packet.destination(),
                    packet.wireLength(), packet.info()));
            if (showFields) {
                for (PacketLayer layer : packet.layers()) {
                    field(out, layer.field(), 8);
                }
            }
        }
    }

    private static long lastEnd(Journey journey) {
        long end = 0;
        for (WalkStep step : journey.steps()) {
            end = Math.max(end, step.hop().endNanos());
        }
        return end;
    }

    static String millis(long nanos) {
        return String.format("%.3f", nanos / 1e6);
    }
}
