package org.foobarstack.walk;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceContext;
import org.xbill.DNS.Address;

/**
 * Walks one URL through the stack and returns the {@link Journey}; prints nothing (see
 * {@link TextRenderer} and {@link JourneyJson}).
 *
 * <ol>
 *   <li>Pick the trace context: the one given with {@code -H 'traceparent: ...'}, else a fresh one.</li>
 *   <li>Resolve the host with our DNS server ({@link DnsLookup}); an IP literal needs no lookup.</li>
 *   <li>Connect, maybe TLS, send the request, read the response ({@link WalkHttpExchange}).</li>
 *   <li>Fetch what the stack recorded under the same trace id from its admin server, the one named or the
 *       stack's default address ({@link TraceFetch}).</li>
 * </ol>
 * A step that fails ends the walk; the journey keeps the steps done so far and says why it stopped.
 */
public final class Walker {

    public Journey walk(WalkRequest request) {
        TraceContext context = contextFor(request);
        StepLog log = new StepLog(context.traceId());
        WalkFailure failure = null;
        String failureMessage = null;
        int status = 0;
        try {
            InetAddress address = resolve(request, log, context);
            WalkHttpExchange exchange = new WalkHttpExchange(request, log);
            status = exchange.run(address, context);
        } catch (WalkException e) {
            failure = e.failure();
            failureMessage = e.getMessage();
        }
        Trace serverTrace = null;
        String serverNote = null;
        if (request.traceApi() != null) {
            TraceFetch.Result fetched = new TraceFetch().fetch(request.traceApi(), request.traceApiIsDefault(),
                    context.traceId(), request.timeout());
            serverTrace = fetched.trace();
            serverNote = fetched.note();
        }
        return new Journey(request, context, log.steps(), status, failure, failureMessage, serverTrace, serverNote);
    }

    private static TraceContext contextFor(WalkRequest request) {
        for (WalkRequest.Header header : request.headers()) {
            if (header.name().equalsIgnoreCase(TraceContext.HEADER)) {
                // The learner asked for a trace id: use it, or say exactly why it is not valid.
                return TraceContext.parse(header.value());
            }
        }
        return TraceContext.fresh();
    }

    private static InetAddress resolve(WalkRequest request, StepLog log, TraceContext context) throws WalkException {
        String host = request.host();
        byte[] literal = Address.toByteArray(host, Address.IPv4);
        if (literal == null) {
            literal = Address.toByteArray(host, Address.IPv6);
        }
        if (literal != null) {
            long now = System.nanoTime();
            log.add(Protocol.DNS, Direction.SENT, "no lookup: " + host + " is an IP address literal", "", now, now,
                    List.of(Field.info("Host", host), Field.info("Lookup", "skipped: the URL names an address")),
                    List.of("* " + host + " is an IP address: no DNS query needed"));
            try {
                return InetAddress.getByAddress(literal);
            } catch (UnknownHostException e) {
                throw new WalkException(WalkFailure.RESOLVE, "bad address literal " + host);
            }
        }
        return new DnsLookup(request, log, context).resolve(host);
    }
}
