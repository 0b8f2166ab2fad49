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
 * @param vrrp      its place in a balancer pair, or null for a balancer on its own
 */
public record BalancerStatus(String instance, String host, String algorithm, String statsUrl,
                             List<Server> servers, Vrrp vrrp) {

    public BalancerStatus {
        servers = List.copyOf(servers);
    }

    /** A balancer on its own, in no pair. */
    public BalancerStatus(String instance, String host, String algorithm, String statsUrl, List<Server> servers) {
        this(instance, host, algorithm, statsUrl, servers, null);
    }

    /**
     * A balancer's place in a VRRP pair (keepalived's {@code vrrp_instance}).
     *
     * @param virtualAddress the pair's address, "127.0.0.100", which only the MASTER listens on
     * @param state          "MASTER", "BACKUP", "FAULT", "INITIALIZE", or "stopped" while the balancer is down
     * @param priority       1 to 254; the highest live one is master
     * @param preempt        whether it takes the address back from a lower priority
     * @param transitions    its last changes of state, oldest first, each as keepalived logs it with the time
     */
    public record Vrrp(String virtualAddress, String state, int priority, boolean preempt, List<String> transitions) {
        public Vrrp {
            transitions = List.copyOf(transitions);
        }
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
