package org.foobarstack.monitoring;

import java.util.List;

/** A series and its points over some range, oldest first: what {@code /api/series} answers and rates read. */
public record Series(SeriesKey key, List<Point> points) {

    public Series {
        points = List.copyOf(points);
    }

    /** The newest point, or null when the range holds none. */
    public Point latest() {
        return points.isEmpty() ? null : points.get(points.size() - 1);
    }
}
