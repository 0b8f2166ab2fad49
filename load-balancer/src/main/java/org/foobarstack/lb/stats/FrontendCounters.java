package org.foobarstack.lb.stats;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The FRONTEND row of the stats page: what the clients did, whatever server answered them.
 */
public final class FrontendCounters {

    /** scur: client connections open now. */
    private final AtomicInteger current = new AtomicInteger();
    /** smax. */
    private final AtomicInteger max = new AtomicInteger();
    /** stot: client connections accepted. */
    private final LongAdder connections = new LongAdder();
    /** req_tot: HTTP requests received. */
    private final LongAdder requests = new LongAdder();
    /** ereq: requests refused as malformed (400, 413, 431...), or clients that went silent mid-request. */
    private final LongAdder requestErrors = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final ResponseCounts responses = new ResponseCounts();

    public void connectionOpened() {
        connections.increment();
        int now = current.incrementAndGet();
        max.accumulateAndGet(now, Math::max);
    }

    public void connectionClosed() {
        current.decrementAndGet();
    }

    public void countRequest() {
        requests.increment();
    }

    public void countRequestError() {
        requestErrors.increment();
    }

    public void countBytes(long in, long out) {
        bytesIn.add(in);
        bytesOut.add(out);
    }

    /** A response went to a client, from a server or made by the balancer (502, 503, 504). */
    public void countResponse(int status) {
        responses.count(status);
    }

    public Snapshot snapshot() {
        return new Snapshot(current.get(), max.get(), connections.sum(), requests.sum(), requestErrors.sum(),
                bytesIn.sum(), bytesOut.sum(), responses.snapshot());
    }

    /** The counters at one moment. */
    public record Snapshot(int current, int max, long connections, long requests, long requestErrors, long bytesIn,
                           long bytesOut, long[] responses) {
    }
}
