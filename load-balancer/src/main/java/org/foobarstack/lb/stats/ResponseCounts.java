package org.foobarstack.lb.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * Responses counted by class, HAProxy's hrsp_1xx to hrsp_5xx and hrsp_other: one for the frontend, one for each
 * server. Lock-free adders, since every event loop counts into them.
 */
public final class ResponseCounts {

    private final LongAdder[] byClass = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(),
        new LongAdder(), new LongAdder()};

    /** A response with this status went by. */
    public void count(int status) {
        int family = status / 100;
        byClass[family >= 1 && family <= 5 ? family - 1 : 5].increment();
    }

    /** hrsp_1xx, hrsp_2xx, hrsp_3xx, hrsp_4xx, hrsp_5xx, hrsp_other, now. */
    public long[] snapshot() {
        long[] counts = new long[byClass.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = byClass[i].sum();
        }
        return counts;
    }
}
