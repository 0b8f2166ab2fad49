package org.foobarstack.admin;

import java.util.List;

/**
 * A load balancer's view of its backend, as the dashboard draws it beside the hosts.
 *
 * @param instance  "lb-1"
 * @param host      the host it runs on
 * @param algorithm "roundrobin"
 * @param statsUrl  its stats page, "http://127.0.0.10:8404/stats", or null
 * @param servers   each server in configuration order
 */
public record BalancerStatus(String instance, String host, String algorithm, String statsUrl,
                             List<Server> servers) {

    public BalancerStatus {
        servers = List.copyOf(servers);
    }

    /**
     * One server as the balancer sees it.
     *
     * @param name      the server's name, the web tier's instance ("web-2")
     * @param host      the host it runs on ("server-2")
     * @param address   "127.0.0.12:8080"
     * @param status    HAProxy's status column: "UP", "DOWN", "UP 1/3", "DRAIN", "MAINT"
     * @param up        the operational state from the checks
     * @param admin     "READY", "DRAIN" or "MAINT"
     * @param current   requests in progress (scur)
     * @param total     requests sent to it (stot)
     * @param lastCheck the last check, "L7OK 200 (HTTP status 200) in 1 ms"
     * @param downSince epoch milliseconds when it went down, or -1
     */
    public record Server(String name, String host, String address, String status, boolean up, String admin,
                         int current, long total, String lastCheck, long downSince) {
    }
}
