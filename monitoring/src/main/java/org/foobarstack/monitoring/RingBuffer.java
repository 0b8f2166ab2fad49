package org.foobarstack.monitoring;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The points of one series in a fixed array: a new point overwrites the oldest once the array is full, so memory
 * stays the same however long the server runs. This is the round-robin database idea of RRDtool (and of Graphite's
 * Whisper files): a fixed retention bought with a fixed size. Prometheus's TSDB instead appends compressed chunks
 * and deletes whole blocks when they pass the retention time.
 *
 * <p>Not thread-safe: {@link SeriesStore} guards every ring with its own lock.
 */
final class RingBuffer {

    private final Point[] points;
    /** Where the next point goes. */
    private int next;
    private int size;

    RingBuffer(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("a ring needs room for two points at least, not " + capacity);
        }
        points = new Point[capacity];
    }

    void add(Point point) {
        points[next] = point;
        next = (next + 1) % points.length;
        size = Math.min(size + 1, points.length);
    }

    /** The points stamped after {@code after} (exclusive), oldest first. */
    List<Point> since(Instant after) {
        List<Point> result = new ArrayList<>();
        int oldest = (next - size + points.length) % points.length;
        for (int i = 0; i < size; i++) {
            Point point = points[(oldest + i) % points.length];
            if (point.at().isAfter(after)) {
                result.add(point);
            }
        }
        return result;
    }

    /** The newest point, or null when empty. */
    Point latest() {
        return size == 0 ? null : points[(next - 1 + points.length) % points.length];
    }

    int capacity() {
        return points.length;
    }
}
