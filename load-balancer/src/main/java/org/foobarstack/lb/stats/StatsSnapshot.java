package org.foobarstack.lb.stats;

import org.foobarstack.lb.backend.ServerStats;
import org.foobarstack.lb.config.Algorithm;
import org.foobarstack.lb.config.Mode;

import java.util.List;

/**
 * Everything the stats page shows, read at one moment: the frontend's counters and each server's.
 *
 * @param name         the balancer's instance name ("lb-1")
 * @param frontendName the frontend's proxy name, HAProxy's pxname ("http-in")
 * @param backendName  the backend's proxy name ("servers")
 * @param mode         http or tcp
 * @param algorithm    the balance algorithm
 * @param check        the health check, in HAProxy's words
 * @param frontend     the FRONTEND row
 * @param servers      one row per server, in configuration order
 * @param nowMillis    when the snapshot was taken
 * @param startMillis  when the balancer started
 */
public record StatsSnapshot(String name, String frontendName, String backendName, Mode mode, Algorithm algorithm,
                            String check, FrontendCounters.Snapshot frontend, List<ServerStats> servers,
                            long nowMillis, long startMillis) {

    /** Servers that are UP, READY and not backup: HAProxy's "act" for the BACKEND row. */
    public long activeUp() {
        return servers.stream().filter(s -> !s.backup() && s.up()
                && s.adminState() == org.foobarstack.lb.backend.Server.AdminState.READY).count();
    }

    public long backupUp() {
        return servers.stream().filter(s -> s.backup() && s.up()
                && s.adminState() == org.foobarstack.lb.backend.Server.AdminState.READY).count();
    }
}
