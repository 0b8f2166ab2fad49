package org.foobarstack.lb.backend;

import java.net.InetSocketAddress;

/**
 * One server's counters at one moment, named as in HAProxy's stats CSV.
 *
 * @param name             svname
 * @param address          addr
 * @param status           status: "UP", "DOWN", "UP 1/3", "MAINT", "DRAIN"...
 * @param adminState       READY, DRAIN or MAINT
 * @param up               the operational state
 * @param weight           weight
 * @param backup           bck
 * @param checked          whether it is health-checked
 * @param current          scur
 * @param max              smax
 * @param total            stot
 * @param chosen           lbtot
 * @param bytesIn          bin (from clients, towards this server)
 * @param bytesOut         bout (from this server, towards clients)
 * @param connectionErrors econ
 * @param responseErrors   eresp
 * @param retries          wretr
 * @param redispatches     wredis
 * @param failedChecks     chkfail
 * @param downTransitions  chkdown
 * @param lastChangeMillis when the state last changed (lastchg is the seconds since)
 * @param downtimeMillis   downtime, in milliseconds
 * @param downSinceMillis  when it went down, -1 while up
 * @param lastCheck        check_status, check_code, check_duration
 * @param lastFailure      the last failure of a check or seen on traffic, or null
 * @param responses        hrsp_1xx, hrsp_2xx, hrsp_3xx, hrsp_4xx, hrsp_5xx, hrsp_other
 */
public record ServerStats(String name, InetSocketAddress address, String status, Server.AdminState adminState,
                          boolean up, int weight, boolean backup, boolean checked, int current, int max, long total,
                          long chosen, long bytesIn, long bytesOut, long connectionErrors, long responseErrors,
                          long retries, long redispatches, long failedChecks, long downTransitions,
                          long lastChangeMillis, long downtimeMillis, long downSinceMillis, CheckResult lastCheck,
                          CheckResult lastFailure, long[] responses) {

    /** "127.0.0.11:8080" */
    public String hostPort() {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
