package org.foobarstack.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The packets {@code walk --packets} captured, kept per trace for the dashboard's "packets" view
 * ({@code PUT} and {@code GET /api/traces/{traceId}/packets}).
 *
 * <p>Only a walk run as root can capture packets (tcpdump opens a packet socket); the admin server cannot, so the
 * walk brings them: the JSON that {@code walk --json --packets} prints, its client hops each with their socket
 * and their packets. The walk module owns that format (docs/tracing.md); this class checks only what the page
 * needs to show anything, and hands the bytes back as they came:
 * <ul>
 *   <li>a JSON object whose {@code "traceId"} is the trace of the address, so that packets cannot be filed under
 *       another request by mistake;</li>
 *   <li>a {@code "client"} array (the walk's hops).</li>
 * </ul>
 *
 * <p>Memory is bounded twice: one walk's packets are at most {@link #MAX_BYTES}, and only the packets of the last
 * {@link #KEPT} traces are kept; an older one is forgotten when a newer one arrives. Like the traces themselves they
 * live in memory only, gone when the stack stops.
 */
final class TracePackets {

    /**
     * The largest body taken. A walk's packets, without indentation, are some tens of KiB: a dozen packets, each
     * with its headers' field trees. A large download adds a few packets per 64 KiB segment on loopback; 2 MiB
     * leaves room for that and bounds what one request makes the admin server hold.
     */
    static final int MAX_BYTES = 2 * 1024 * 1024;

    /** How many traces' packets are kept: at most {@code KEPT * MAX_BYTES} (32 MiB) in all. */
    static final int KEPT = 16;

    /** A whole trace id: 32 lower-case hex digits (W3C Trace Context §3.2.2.3). Packets go under one exactly. */
    static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");

    /** Strict about what follows the object, as {@link DemoReport} is. */
    private static final ObjectReader READER = new ObjectMapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Oldest first, so that the first entry is the one to forget. */
    private final Map<String, byte[]> byTrace = new LinkedHashMap<>();

    /** Why a body is not a walk's packets, in a sentence for whoever sent it. */
    static final class NotPackets extends RuntimeException {
        NotPackets(String message) {
            super(message);
        }
    }

    /**
     * Checks {@code body} and keeps it as the packets of {@code traceId}, replacing any it had; forgets the oldest
     * trace's packets when more than {@link #KEPT} would be kept.
     *
     * @throws NotPackets saying what is wrong
     */
    void put(String traceId, byte[] body) {
        check(traceId, body);
        synchronized (byTrace) {
            byTrace.remove(traceId);
            byTrace.put(traceId, body.clone());
            while (byTrace.size() > KEPT) {
                byTrace.remove(byTrace.keySet().iterator().next());
            }
        }
    }

    /** The packets of {@code traceId} as they were sent, or null when none are kept. */
    byte[] get(String traceId) {
        synchronized (byTrace) {
            byte[] json = byTrace.get(traceId);
            return json == null ? null : json.clone();
        }
    }

    private static void check(String traceId, byte[] body) {
        if (body.length == 0) {
            throw new NotPackets("the body is empty: send what `walk --json --packets` prints");
        }
        JsonNode root;
        try {
            root = READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new NotPackets("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new NotPackets("the body is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new NotPackets("a walk's packets are a JSON object, what `walk --json --packets` prints");
        }
        JsonNode id = root.get("traceId");
        if (id == null || !id.isTextual()) {
            throw new NotPackets("the walk's \"traceId\" is missing: it says which trace the packets belong to");
        }
        if (!id.asText().equals(traceId)) {
            throw new NotPackets("these packets are trace " + id.asText() + "'s, not " + traceId + "'s");
        }
        JsonNode client = root.get("client");
        if (client == null || !client.isArray()) {
            throw new NotPackets("the walk's \"client\" array is missing: its hops carry the packets");
        }
    }
}
