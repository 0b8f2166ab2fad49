package org.foobarstack.trace;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The identity of one request as it walks the stack, carried between tiers in the W3C Trace Context
 * {@code traceparent} header (https://www.w3.org/TR/trace-context/ §3.2).
 *
 * <pre>
 *   traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
 *                ^^ ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ ^^^^^^^^^^^^^^^^ ^^
 *           version trace-id (16 bytes, hex)         parent-id (8 bytes) trace-flags
 * </pre>
 *
 * <p>The trace id names the whole request and never changes along the way; the parent id names the
 * caller's part of it, so each tier that forwards the request makes a {@link #child()} with a fresh
 * parent id. {@link #requestId()} is the first eight hex digits of the trace id: short enough for a
 * human to read out, and still found by a search for the full id.
 *
 * <p>Lifecycle at a tier: 1. {@link #parse} the incoming header, or on a missing or invalid one
 * {@link #fresh()} (§3.2: an invalid traceparent is ignored, never an error for the request);
 * 2. record hops under {@link #traceId()}; 3. send {@link #child()}{@code .toHeader()} to the next tier.
 */
public record TraceContext(String traceId, String parentId, int flags) {

    /** The HTTP header name, lower case as the spec writes it (§3.2.1; header names are case-insensitive). */
    public static final String HEADER = "traceparent";
    /** The only version this code writes (§3.2.2.1). */
    public static final String VERSION_00 = "00";
    /** trace-flags bit 0: the caller may have recorded this request (§3.2.2.5). */
    public static final int FLAG_SAMPLED = 0x01;

    private static final int TRACE_ID_HEX = 32;
    private static final int HEX_DIGITS_PER_LONG = 16;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int PARENT_ID_HEX = 16;
    /** "00-" + 32 + "-" + 16 + "-" + 2. */
    private static final int VERSION_00_LENGTH = 55;

    public TraceContext {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(parentId, "parentId");
        if (!isLowerHex(traceId, TRACE_ID_HEX) || isAllZeros(traceId)) {
            throw new IllegalArgumentException("trace id must be 32 lower-case hex digits, not all zero: " + traceId);
        }
        if (!isLowerHex(parentId, PARENT_ID_HEX) || isAllZeros(parentId)) {
            throw new IllegalArgumentException("parent id must be 16 lower-case hex digits, not all zero: " + parentId);
        }
        if (flags < 0 || flags > 0xff) {
            throw new IllegalArgumentException("trace flags are one byte: " + flags);
        }
    }

    /** A new trace, sampled, with random ids (§3.2.2.3: ids should be random, never all zero). */
    public static TraceContext fresh() {
        return new TraceContext(randomHex(TRACE_ID_HEX), randomHex(PARENT_ID_HEX), FLAG_SAMPLED);
    }

    /** The same trace, as seen by the next hop: same trace id and flags, a new parent id. */
    public TraceContext child() {
        return new TraceContext(traceId, randomHex(PARENT_ID_HEX), flags);
    }

    /** The short id a learner reads on a dashboard: the first 8 hex digits of the trace id. */
    public String requestId() {
        return traceId.substring(0, 8);
    }

    /** The same trace with the sampled flag off: "do not record this" (W3C Trace Context §3.2.2.5). */
    public TraceContext unsampled() {
        return new TraceContext(traceId, parentId, flags & ~FLAG_SAMPLED);
    }

    public boolean sampled() {
        return (flags & FLAG_SAMPLED) != 0;
    }

    /** The header value, always version 00 (§3.2.2: a sender writes the version it understands). */
    public String toHeader() {
        return VERSION_00 + "-" + traceId + "-" + parentId + "-" + (char) HEX[flags >>> 4] + (char) HEX[flags & 0xf];
    }

    /**
     * Parses a {@code traceparent} value strictly as W3C Trace Context §3.2.2 says.
     *
     * @throws TraceparentException naming the rule that the value breaks
     */
    public static TraceContext parse(String header) {
        if (header == null) {
            throw new TraceparentException(Violation.MISSING, "null");
        }
        // §3.2.2: version 00 is exactly 55 characters; a higher version may append "-" and more fields.
        if (header.length() < VERSION_00_LENGTH) {
            throw new TraceparentException(Violation.TOO_SHORT, header);
        }
        String version = header.substring(0, 2);
        if (!isLowerHex(version, 2)) {
            throw new TraceparentException(Violation.VERSION_NOT_HEX, header);
        }
        if (version.equals("ff")) {
            throw new TraceparentException(Violation.VERSION_FF, header);
        }
        if (version.equals(VERSION_00) && header.length() != VERSION_00_LENGTH) {
            throw new TraceparentException(Violation.VERSION_00_LENGTH, header);
        }
        if (header.length() > VERSION_00_LENGTH && header.charAt(VERSION_00_LENGTH) != '-') {
            throw new TraceparentException(Violation.FUTURE_VERSION_SEPARATOR, header);
        }
        if (header.charAt(2) != '-' || header.charAt(35) != '-' || header.charAt(52) != '-') {
            throw new TraceparentException(Violation.SEPARATOR, header);
        }
        String traceId = header.substring(3, 35);
        String parentId = header.substring(36, 52);
        String flags = header.substring(53, 55);
        if (!isLowerHex(traceId, TRACE_ID_HEX)) {
            throw new TraceparentException(Violation.TRACE_ID_NOT_HEX, header);
        }
        if (isAllZeros(traceId)) {
            throw new TraceparentException(Violation.TRACE_ID_ZERO, header);
        }
        if (!isLowerHex(parentId, PARENT_ID_HEX)) {
            throw new TraceparentException(Violation.PARENT_ID_NOT_HEX, header);
        }
        if (isAllZeros(parentId)) {
            throw new TraceparentException(Violation.PARENT_ID_ZERO, header);
        }
        if (!isLowerHex(flags, 2)) {
            throw new TraceparentException(Violation.FLAGS_NOT_HEX, header);
        }
        return new TraceContext(traceId, parentId, Integer.parseInt(flags, 16));
    }

    /** Parses the header, or starts a fresh trace when it is absent or invalid (§3.2: ignore, restart). */
    public static TraceContext parseOrFresh(String header) {
        if (header == null) {
            return fresh();
        }
        try {
            return parse(header);
        } catch (TraceparentException invalid) {
            return fresh();
        }
    }

    /** Every rule of §3.2.2 that a traceparent value can break, with its section. */
    public enum Violation {
        MISSING("§3.2.1", "no traceparent value"),
        TOO_SHORT("§3.2.2", "shorter than the 55 characters of version 00"),
        VERSION_NOT_HEX("§3.2.2.1", "version is not two lower-case hex digits"),
        VERSION_FF("§3.2.2.1", "version ff is forbidden"),
        VERSION_00_LENGTH("§3.2.2.1", "version 00 must be exactly 55 characters"),
        FUTURE_VERSION_SEPARATOR("§3.2.4", "a higher version may only extend the value after a '-'"),
        SEPARATOR("§3.2.2", "fields must be separated by '-'"),
        TRACE_ID_NOT_HEX("§3.2.2.3", "trace-id is not 32 lower-case hex digits"),
        TRACE_ID_ZERO("§3.2.2.3", "trace-id of all zeros is invalid"),
        PARENT_ID_NOT_HEX("§3.2.2.4", "parent-id is not 16 lower-case hex digits"),
        PARENT_ID_ZERO("§3.2.2.4", "parent-id of all zeros is invalid"),
        FLAGS_NOT_HEX("§3.2.2.5", "trace-flags is not two lower-case hex digits");

        private final String section;
        private final String reason;

        Violation(String section, String reason) {
            this.section = section;
            this.reason = reason;
        }

        public String section() {
            return section;
        }

        public String reason() {
            return reason;
        }
    }

    /** An invalid traceparent, with the W3C Trace Context section it breaks. */
    public static final class TraceparentException extends IllegalArgumentException {
        private final transient Violation violation;

        TraceparentException(Violation violation, String header) {
            super("invalid traceparent (W3C Trace Context " + violation.section() + ": " + violation.reason()
                    + "): " + header);
            this.violation = violation;
        }

        public Violation violation() {
            return violation;
        }
    }

    private static String randomHex(int digits) {
        // ThreadLocalRandom: ids need to be unique, not secret (§3.2.2.3 asks for randomness, not a CSPRNG),
        // and it costs no lock or syscall on the request path. Each random long gives 16 hex digits.
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] hex = new byte[digits];
        long bits = 0;
        for (int i = 0; i < digits; i++) {
            if (i % HEX_DIGITS_PER_LONG == 0) {
                bits = random.nextLong();
            }
            hex[i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
        String id = new String(hex, StandardCharsets.US_ASCII);
        return isAllZeros(id) ? randomHex(digits) : id;
    }

    private static boolean isLowerHex(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAllZeros(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
