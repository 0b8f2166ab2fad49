package org.foobarstack.lb.stats;

import org.foobarstack.httpcodec.response.ErrorPage;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.backend.ServerStats;

import java.time.Duration;

/**
 * The stats page as HTML, laid out like HAProxy's: one table for the frontend and one for the backend, a row per
 * server coloured by its state (green UP, yellow going down, orange going up, red DOWN, blue DRAIN or MAINT),
 * and the same column groups: sessions, bytes, errors, warnings, server state and checks, responses by class.
 * It refreshes itself every two seconds.
 */
public final class StatsPage {

    private StatsPage() {
    }

    public static String render(StatsSnapshot s) {
        StringBuilder html = new StringBuilder(8192);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"2\">")
                .append("<title>Statistics Report for ").append(esc(s.name())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;font-size:13px}table{border-collapse:collapse;margin:0 0 1em}")
                .append("th,td{border:1px solid #999;padding:2px 6px;text-align:right}th{background:#20d0d0}")
                .append("td:first-child{text-align:left}.up{background:#c0ffc0}.going_down{background:#ffffa0}")
                .append(".going_up{background:#ffd020}.down{background:#ff9090}.maint,.drain{background:#20a0ff}")
                .append(".nocheck{background:#e0e0e0}.total{background:#e8e8d0;font-weight:bold}")
                .append("caption{text-align:left;font-weight:bold;font-size:15px;padding:4px 0}</style></head>\n<body>\n")
                .append("<h1>foobar-stack load balancer ").append(esc(s.name())).append("</h1>\n<p>mode ")
                .append(s.mode().name().toLowerCase()).append(", balance ").append(s.algorithm().keyword())
                .append(", ").append(esc(s.check())).append(", up ")
                .append(duration(s.nowMillis() - s.startMillis()))
                .append(". The same numbers as CSV: <a href=\"/stats;csv\">/stats;csv</a>.</p>\n");

        FrontendCounters.Snapshot f = s.frontend();
        html.append("<table><caption>").append(esc(s.frontendName())).append(" (frontend)</caption>\n")
                .append("<tr><th></th><th>Cur</th><th>Max</th><th>Total conn</th><th>Requests</th>")
                .append("<th>Bytes in</th><th>Bytes out</th><th>Req errors</th><th>1xx</th><th>2xx</th><th>3xx</th>")
                .append("<th>4xx</th><th>5xx</th><th>Status</th></tr>\n<tr class=\"total\"><td>Frontend</td>")
                .append(td(f.current())).append(td(f.max())).append(td(f.connections())).append(td(f.requests()))
                .append(td(f.bytesIn())).append(td(f.bytesOut())).append(td(f.requestErrors()));
        for (int i = 0; i < 5; i++) {
            html.append(td(f.responses()[i]));
        }
        html.append("<td>OPEN</td></tr>\n</table>\n");

        html.append("<table><caption>").append(esc(s.backendName())).append(" (backend)</caption>\n")
                .append("<tr><th>Server</th><th>Address</th><th>Status</th><th>LastChk</th><th>Wght</th>")
                .append("<th>Act</th><th>Bck</th><th>Cur</th><th>Max</th><th>Total</th><th>LbTot</th>")
                .append("<th>Bytes in</th><th>Bytes out</th><th>Conn err</th><th>Resp err</th><th>Retr</th>")
                .append("<th>Redis</th><th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Last change</th>")
                .append("<th>1xx</th><th>2xx</th><th>3xx</th><th>4xx</th><th>5xx</th></tr>\n");
        for (ServerStats server : s.servers()) {
            html.append("<tr class=\"").append(rowClass(server)).append("\"><td>").append(esc(server.name()))
                    .append("</td><td>").append(esc(server.hostPort())).append("</td><td>")
                    .append(esc(server.status())).append("</td><td>")
                    .append(esc(server.checked() ? server.lastCheck().describe() : "no check")).append("</td>")
                    .append(td(server.weight())).append(td(server.backup() ? "" : "Y"))
                    .append(td(server.backup() ? "Y" : "")).append(td(server.current())).append(td(server.max()))
                    .append(td(server.total())).append(td(server.chosen())).append(td(server.bytesIn()))
                    .append(td(server.bytesOut())).append(td(server.connectionErrors()))
                    .append(td(server.responseErrors())).append(td(server.retries()))
                    .append(td(server.redispatches())).append(td(server.failedChecks()))
                    .append(td(server.downTransitions())).append(td(duration(server.downtimeMillis())))
                    .append(td(duration(s.nowMillis() - server.lastChangeMillis()) + " ago"));
            for (int i = 0; i < 5; i++) {
                html.append(td(server.responses()[i]));
            }
            html.append("</tr>\n");
        }
        html.append("<tr class=\"total\"><td>Backend</td><td></td><td>")
                .append(s.activeUp() + s.backupUp() > 0 ? "UP" : "DOWN").append("</td><td></td>")
                .append(td("")).append(td(s.activeUp())).append(td(s.backupUp()))
                .append("<td colspan=\"19\"></td></tr>\n</table>\n")
                .append("<p>Status: UP / DOWN from health checks; \"UP 1/3\": 1 of the 3 failed checks that take it down; ")
                .append("\"DOWN 1/2\": 1 of the 2 passed checks that bring it back; DRAIN: no new requests, those in ")
                .append("progress finish; MAINT: no traffic and no checks.</p>\n</body>\n</html>\n");
        return html.toString();
    }

    private static String rowClass(ServerStats server) {
        if (server.adminState() == Server.AdminState.MAINT) {
            return "maint";
        }
        if (server.adminState() == Server.AdminState.DRAIN) {
            return "drain";
        }
        if (!server.checked()) {
            return "nocheck";
        }
        String status = server.status();
        if (status.startsWith("UP ")) {
            return "going_down";
        }
        if (status.startsWith("DOWN ")) {
            return "going_up";
        }
        return server.up() ? "up" : "down";
    }

    private static String td(Object value) {
        return "<td>" + esc(String.valueOf(value)) + "</td>";
    }

    private static String esc(String text) {
        return ErrorPage.escape(text);
    }

    /** "0s", "12s", "3m4s", "2h5m" */
    static String duration(long millis) {
        Duration d = Duration.ofMillis(Math.max(0, millis));
        if (d.toHours() > 0) {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m" + d.toSecondsPart() + "s";
        }
        return d.toSeconds() + "s";
    }
}
