package org.foobarstack.testkit;

import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request head as a web server received it: the request line and the header lines, in the order they
 * came, with the trace id the web tier gave the request (the client's {@code traceparent}, or a fresh one, sent
 * back as {@code X-Trace-Id}).
 *
 * <p>The web tier records the head only. A body that went on to the app server is in
 * {@link RecordedFastCgiRequest#stdin()}; a request the parser refused is not recorded here (its trace shows why).
 *
 * @param traceId    32 hex digits; the same at every tier the request reached
 * @param instance   which web server: {@code web-1}, {@code web-2}...
 * @param peer       the client's address and port, {@code 127.0.0.1:50412}
 * @param method     {@code GET}, {@code POST}...
 * @param target     the request target as sent, {@code /api/messages?limit=5}
 * @param version    {@code HTTP/1.1}
 * @param headers    every header line, in order, names as sent
 * @param startNanos {@link System#nanoTime()} when the head's first byte arrived: orders records of all tiers
 */
public record RecordedHttpRequest(String traceId, String instance, String peer, String method, String target,
                                  String version, List<Header> headers, long startNanos) {

    /** One header line. */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public RecordedHttpRequest {
        Objects.requireNonNull(traceId, "traceId");
        headers = List.copyOf(headers);
    }

    /** The first header of that name (names compare without case, RFC 9110 §5.1). */
    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst();
    }

    /**
     * The request in a web tier's "HTTP received" hop; empty for a head the parser refused, which has no request
     * line.
     */
    static Optional<RecordedHttpRequest> of(Hop hop) {
        if (hop.protocol() != Protocol.HTTP || hop.direction() != Direction.RECEIVED) {
            throw new IllegalArgumentException("not a received HTTP head: " + hop);
        }
        Optional<Field> line = HopFields.find(hop.fields(), "Request line");
        if (line.isEmpty()) {
            return Optional.empty();
        }
        List<Header> headers = new ArrayList<>();
        for (Field field : hop.fields()) {
            // a header line is a byte range of the head made of a Name and a Value; the facts the tier adds
            // (which request of the connection this is) have no offset
            if (field.hasOffset() && field.child("Name") != null && field.child("Value") != null) {
                headers.add(new Header(HopFields.childValue(field, "Name"), HopFields.childValue(field, "Value")));
            }
        }
        return Optional.of(new RecordedHttpRequest(hop.traceId(), hop.instance(), hop.peer(),
                HopFields.childValue(line.get(), "Method"), HopFields.childValue(line.get(), "Request target"),
                HopFields.childValue(line.get(), "Version"), headers, hop.startNanos()));
    }
}
