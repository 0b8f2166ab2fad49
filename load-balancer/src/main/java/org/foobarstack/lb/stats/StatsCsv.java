package org.foobarstack.lb.stats;

import org.foobarstack.lb.backend.ServerStats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stats as HAProxy's CSV ({@code /stats;csv}): the same columns in the same order (section 9.1, "CSV format",
 * of HAProxy's management guide), so that a script written against HAProxy's stats reads ours. Rows: FRONTEND,
 * one per server, BACKEND. A column we do not measure is left empty, as HAProxy leaves the columns that do not
 * apply to a row.
 */
public final class StatsCsv {

    /** HAProxy's columns, from pxname (0) to algo (76). */
    static final List<String> COLUMNS = List.of(
            "pxname", "svname", "qcur", "qmax", "scur", "smax", "slim", "stot", "bin", "bout",
            "dreq", "dresp", "ereq", "econ", "eresp", "wretr", "wredis", "status", "weight", "act",
            "bck", "chkfail", "chkdown", "lastchg", "downtime", "qlimit", "pid", "iid", "sid", "throttle",
            "lbtot", "tracked", "type", "rate", "rate_lim", "rate_max", "check_status", "check_code",
            "check_duration", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other", "hanafail",
            "req_rate", "req_rate_max", "req_tot", "cli_abrt", "srv_abrt", "comp_in", "comp_out", "comp_byp",
            "comp_rsp", "lastsess", "last_chk", "last_agt", "qtime", "ctime", "rtime", "ttime", "agent_status",
            "agent_code", "agent_duration", "check_desc", "agent_desc", "check_rise", "check_fall", "check_health",
            "agent_rise", "agent_fall", "agent_health", "addr", "cookie", "mode", "algo");

    private StatsCsv() {
    }

    public static String render(StatsSnapshot stats, int rise, int fall) {
        StringBuilder sb = new StringBuilder("# ").append(String.join(",", COLUMNS)).append(",\n");
        row(sb, frontend(stats));
        int sid = 1;
        for (ServerStats server : stats.servers()) {
            row(sb, server(stats, server, sid++, rise, fall));
        }
        row(sb, backend(stats));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String[] values) {
        for (String value : values) {
            sb.append(value == null ? "" : value.replace(",", ";")).append(',');
        }
        sb.append('\n');
    }

    private static String[] empty() {
        String[] values = new String[COLUMNS.size()];
        Arrays.fill(values, "");
        return values;
    }

    private static void set(String[] values, String column, Object value) {
        values[COLUMNS.indexOf(column)] = String.valueOf(value);
    }

    private static String[] frontend(StatsSnapshot stats) {
        FrontendCounters.Snapshot f = stats.frontend();
        String[] v = empty();
        set(v, "pxname", stats.frontendName());
        set(v, "svname", "FRONTEND");
        set(v, "scur", f.current());
        set(v, "smax", f.max());
        set(v, "stot", f.connections());
        set(v, "bin", f.bytesIn());
        set(v, "bout", f.bytesOut());
        set(v, "ereq", f.requestErrors());
        set(v, "status", "OPEN");
        set(v, "pid", 1);
        set(v, "iid", 1);
        set(v, "sid", 0);
        set(v, "type", 0);
        responses(v, f.responses());
        set(v, "req_tot", f.requests());
        set(v, "mode", stats.mode().name().toLowerCase());
        return v;
    }

    private static String[] server(StatsSnapshot stats, ServerStats s, int sid, int rise, int fall) {
        String[] v = empty();
        set(v, "pxname", stats.backendName());
        set(v, "svname", s.name());
        set(v, "qcur", 0);
        set(v, "qmax", 0);
        set(v, "scur", s.current());
        set(v, "smax", s.max());
        set(v, "stot", s.total());
        set(v, "bin", s.bytesIn());
        set(v, "bout", s.bytesOut());
        set(v, "dresp", 0);
        set(v, "econ", s.connectionErrors());
        set(v, "eresp", s.responseErrors());
        set(v, "wretr", s.retries());
        set(v, "wredis", s.redispatches());
        set(v, "status", s.status());
        set(v, "weight", s.weight());
        set(v, "act", s.backup() ? 0 : 1);
        set(v, "bck", s.backup() ? 1 : 0);
        if (s.checked()) {
            set(v, "chkfail", s.failedChecks());
            set(v, "chkdown", s.downTransitions());
            set(v, "check_status", s.lastCheck().status().name());
            if (s.lastCheck().code() != 0) {
                set(v, "check_code", s.lastCheck().code());
            }
            set(v, "check_duration", s.lastCheck().durationMillis());
            set(v, "check_desc", s.lastCheck().status().description());
            set(v, "check_rise", rise);
            set(v, "check_fall", fall);
        }
        set(v, "lastchg", (stats.nowMillis() - s.lastChangeMillis()) / 1000);
        set(v, "downtime", s.downtimeMillis() / 1000);
        set(v, "pid", 1);
        set(v, "iid", 2);
        set(v, "sid", sid);
        set(v, "lbtot", s.chosen());
        set(v, "type", 2);
        responses(v, s.responses());
        set(v, "addr", s.hostPort());
        set(v, "mode", stats.mode().name().toLowerCase());
        return v;
    }

    private static String[] backend(StatsSnapshot stats) {
        String[] v = empty();
        long current = 0;
        long max = 0;
        long total = 0;
        long bytesIn = 0;
        long bytesOut = 0;
        long econ = 0;
        long eresp = 0;
        long retries = 0;
        long redispatches = 0;
        long chosen = 0;
        long weight = 0;
        long[] responses = new long[6];
        for (ServerStats s : stats.servers()) {
            current += s.current();
            max = Math.max(max, s.max());
            total += s.total();
            bytesIn += s.bytesIn();
            bytesOut += s.bytesOut();
            econ += s.connectionErrors();
            eresp += s.responseErrors();
            retries += s.retries();
            redispatches += s.redispatches();
            chosen += s.chosen();
            if (s.up() && !s.backup()) {
                weight += s.weight();
            }
            for (int i = 0; i < 6; i++) {
                responses[i] += s.responses()[i];
            }
        }
        boolean up = stats.activeUp() + stats.backupUp() > 0;
        set(v, "pxname", stats.backendName());
        set(v, "svname", "BACKEND");
        set(v, "qcur", 0);
        set(v, "qmax", 0);
        set(v, "scur", current);
        set(v, "smax", max);
        set(v, "stot", total);
        set(v, "bin", bytesIn);
        set(v, "bout", bytesOut);
        set(v, "econ", econ);
        set(v, "eresp", eresp);
        set(v, "wretr", retries);
        set(v, "wredis", redispatches);
        set(v, "status", up ? "UP" : "DOWN");
        set(v, "weight", weight);
        set(v, "act", stats.activeUp());
        set(v, "bck", stats.backupUp());
        set(v, "pid", 1);
        set(v, "iid", 2);
        set(v, "sid", 0);
        set(v, "lbtot", chosen);
        set(v, "type", 1);
        responses(v, responses);
        set(v, "mode", stats.mode().name().toLowerCase());
        set(v, "algo", stats.algorithm().keyword());
        return v;
    }

    private static void responses(String[] v, long[] hrsp) {
        String[] names = {"hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"};
        for (int i = 0; i < names.length; i++) {
            set(v, names[i], hrsp[i]);
        }
    }

    /** Parses our own CSV back into rows of column -> value, for tests and the dashboard's checks. */
    public static List<java.util.Map<String, String>> parse(String csv) {
        String[] lines = csv.split("\n");
        List<String> header = List.of(lines[0].substring(2).split(",", -1));
        List<java.util.Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] values = lines[i].split(",", -1);
            java.util.Map<String, String> row = new java.util.LinkedHashMap<>();
            for (int c = 0; c < header.size() && c < values.length; c++) {
                if (!header.get(c).isEmpty()) {
                    row.put(header.get(c), values[c]);
                }
            }
            rows.add(row);
        }
        return rows;
    }
}
