package org.foobarstack.monitoring;

import java.time.Instant;
import java.util.List;

/**
 * One instance's requests per second at regular instants, oldest first: a line of the dashboard's sparklines, as
 * {@code GET /api/rates} answers it.
 *
 * @param host     the host that pushed the samples
 * @param instance the tier instance ("web-1")
 * @param points   one per step; a null rate where the window held fewer than two pushes
 */
public record RateHistory(String host, String instance, List<Point> points) {

    public RateHistory {
        points = List.copyOf(points);
    }

    /** The rate over the window that ends at {@code at}; null when it cannot be known. */
    public record Point(Instant at, Double requestsPerSecond) {
    }
}
