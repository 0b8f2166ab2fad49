package org.foobarstack.monitoring;

import java.time.Instant;
import java.util.List;

/**
 * Everything the alert rules look at, computed once per evaluation: the hosts and the instances' numbers at one
 * instant. The rules are plain functions of it, which keeps them easy to read and to test.
 */
public record MonitoringSnapshot(Instant at, List<HostStatus> hosts, List<InstanceSummary> instances) {

    public MonitoringSnapshot {
        hosts = List.copyOf(hosts);
        instances = List.copyOf(instances);
    }
}
