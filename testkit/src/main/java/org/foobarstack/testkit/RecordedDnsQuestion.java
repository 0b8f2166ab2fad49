package org.foobarstack.testkit;

import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;

import java.util.List;
import java.util.Objects;

/**
 * One question a name server was asked: the name, the record type, and over which transport. A query that
 * carried a trace context in its EDNS option ({@code DnsTraceOption}) is recorded under that trace id; any other
 * gets a fresh one.
 *
 * @param traceId    the trace id the query carried, or a fresh one
 * @param instance   which name server: {@code dns-1}
 * @param peer       the client's address and port
 * @param name       the name asked for, fully qualified: {@code www.foobar.com.}
 * @param type       the record type: {@code A}, {@code AAAA}, {@code NS}...
 * @param transport  {@code UDP} or {@code TCP}
 * @param startNanos {@link System#nanoTime()} when the query was read
 */
public record RecordedDnsQuestion(String traceId, String instance, String peer, String name, String type,
                                  String transport, long startNanos) {

    public RecordedDnsQuestion {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(name, "name");
    }

    /** The first question of a name server's "DNS received" hop. */
    static RecordedDnsQuestion of(Hop hop) {
        if (hop.protocol() != Protocol.DNS || hop.direction() != Direction.RECEIVED) {
            throw new IllegalArgumentException("not a received DNS query: " + hop);
        }
        List<Field> fields = hop.fields();
        Field question = HopFields.find(fields, "Queries").filter(q -> !q.children().isEmpty())
                .map(q -> q.children().get(0)).orElse(null);
        String name = question == null ? "" : HopFields.childValue(question, "Name");
        String type = question == null ? "" : HopFields.firstWord(HopFields.childValue(question, "Type"));
        return new RecordedDnsQuestion(hop.traceId(), hop.instance(), hop.peer(), name, type,
                HopFields.firstWord(HopFields.value(fields, "Transport")), hop.startNanos());
    }
}
