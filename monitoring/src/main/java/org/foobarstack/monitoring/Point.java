package org.foobarstack.monitoring;

import java.time.Instant;

/** One value of a series, stamped with the moment the monitoring server received it. */
public record Point(Instant at, double value) {
}
