package org.foobarstack.walk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongUnaryOperator;
import org.foobarstack.walk.packet.CaptureUnavailableException;
import org.foobarstack.walk.packet.Packet;
import org.foobarstack.walk.packet.PacketDecoder;
import org.foobarstack.walk.packet.PcapFile;
import org.foobarstack.walk.packet.TcpdumpCapture;

/**
 * A walk with its packets ({@code walk --packets}): tcpdump listens on the loopback interface while
 * {@link Walker} walks, and each packet of the walk's own sockets is decoded and put under its step.
 *
 * <ol>
 *   <li>Start tcpdump on {@code lo} with a filter on the two server ports (the DNS server's, the URL's): the
 *       walk's own ports are not known before its sockets exist.</li>
 *   <li>Walk.</li>
 *   <li>Wait until the file holds the end of every socket's traffic (the last ACK after both FINs), at most
 *       two seconds, and stop tcpdump.</li>
 *   <li>Decode the file and keep the packets of the walk's sockets ({@link PacketAssignment}): other clients
 *       of the same servers pass the filter too.</li>
 * </ol>
 */
public final class CapturingWalker {

    public static final String LOOPBACK = "lo";
    private static final Duration START = Duration.ofSeconds(5);
    private static final Duration LAST_PACKETS = Duration.ofSeconds(2);
    private static final Duration STOP = Duration.ofSeconds(5);

    /**
     * @throws CaptureUnavailableException when packets cannot be captured here (not root, no tcpdump), with one
     *                                     line saying what is needed
     */
    public Journey walk(WalkRequest request) throws CaptureUnavailableException {
        Path tcpdump = TcpdumpCapture.requireCapture();
        Path directory = null;
        try {
            directory = Files.createTempDirectory("walk-packets");
            Path file = directory.resolve("walk.pcap");
            String filter = filter(request);
            Journey journey;
            PcapFile pcap;
            boolean complete;
            try (TcpdumpCapture capture = TcpdumpCapture.start(tcpdump, LOOPBACK, filter, file, START)) {
                journey = new Walker().walk(request);
                List<WalkStep> steps = journey.steps();
                Set<Integer> dnsPorts = dnsPorts(request);
                complete = capture.awaitPackets(soFar -> {
                    List<Packet> packets = PacketDecoder.decodeAll(soFar, dnsPorts);
                    return PacketAssignment.flows(steps).stream()
                            .allMatch(flow -> PacketAssignment.isOver(flow, steps, packets));
                }, LAST_PACKETS);
                pcap = capture.stop(STOP);
            }
            List<Packet> packets = PacketDecoder.decodeAll(pcap, dnsPorts(request));
            List<List<Packet>> byStep = PacketAssignment.byStep(journey.steps(), packets, clock());
            String note = complete ? null : "the capture may lack the last packets of a connection: they did not"
                    + " arrive within " + LAST_PACKETS.toMillis() + " ms of the walk's end";
            if (packets.isEmpty()) {
                note = "no packets on " + LOOPBACK + ": the servers are not on this machine's loopback interface";
            }
            return journey.withPackets(new WalkPackets(LOOPBACK, filter, pcap.linkType(), packets.size(), byStep,
                    note));
        } catch (IOException e) {
            throw new CaptureUnavailableException("capturing packets failed: " + e.getMessage());
        } finally {
            delete(directory);
        }
    }

    /**
     * The BPF filter (pcap-filter(7)): both transports on the DNS server's port (UDP, and TCP for a TC=1
     * retry), TCP on the URL's port.
     */
    static String filter(WalkRequest request) {
        int dns = request.dns().getPort();
        return "udp port " + dns + " or tcp port " + dns + " or tcp port " + request.port();
    }

    private static Set<Integer> dnsPorts(WalkRequest request) {
        Set<Integer> ports = new TreeSet<>(Set.of(53));
        ports.add(request.dns().getPort());
        return ports;
    }

    /**
     * From {@code System.nanoTime()} to the capture's clock, microseconds since 1970: one reading of each,
     * as close together as two calls can be. (The hops' own wall clock is only millisecond-exact.)
     */
    private static LongUnaryOperator clock() {
        long before = System.nanoTime();
        Instant now = Instant.now();
        long after = System.nanoTime();
        long anchorNanos = before + (after - before) / 2;
        long anchorMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        return nanos -> anchorMicros + (nanos - anchorNanos) / 1000;
    }

    private static void delete(Path directory) {
        if (directory == null) {
            return;
        }
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // a temporary file left behind is no reason to fail the walk
        }
    }
}
