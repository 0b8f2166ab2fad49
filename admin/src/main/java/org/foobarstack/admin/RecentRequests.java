package org.foobarstack.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;

/**
 * The dashboard's list of recent requests: for each trace, what a learner wants in one row (when, which
 * method and target, which status, how long, which tiers), read from the hops themselves.
 *
 * <p>Where each column comes from:
 * <ol>
 *   <li>method and target: the first HTTP request head the stack received (its "Request line" field's
 *       "Method" and "Request target"); a trace without HTTP (a dig query) shows "DNS" and the query's
 *       summary instead;</li>
 *   <li>status: the last HTTP response head sent by the instance that received that request ("Status line",
 *       "Status code"); for DNS, the reply code of the last answer sent;</li>
 *   <li>balancer: the load balancer the request went through, the instance of its first hop of tier "lb";</li>
 *   <li>served by: the web server that answered it, the instance of the last HTTP response a hop of tier
 *       "web" sent; while none has answered, the first web server it reached. A balancer that retries a
 *       server which died under the request sends it to another one: both recorded hops, and the one that
 *       answered is the one that served it;</li>
 *   <li>duration and tiers: the {@link Trace}'s own.</li>
 * </ol>
 *
 * <p>All hops are read once and grouped here, rather than asking the hub for each trace in turn, so that a
 * list of 50 requests costs one pass over the rings, not 50.
 */
public final class RecentRequests {

    /**
     * One row of the list. {@code status} is null while no answer has been recorded; {@code balancer} when the
     * request went through no load balancer; {@code servedBy} when it reached no web server (a DNS query, or a
     * balancer that found no server up).
     */
    public record Row(Trace trace, String method, String target, String status, String balancer,
                      String servedBy) {

        public String traceId() {
            return trace.traceId();
        }
    }

    /** The tier names the stack records its load balancers' and web servers' hops under. */
    static final String BALANCER_TIER = "lb";
    static final String WEB_TIER = "web";

    private static final Pattern STATUS_IN_SUMMARY = Pattern.compile("^HTTP/\\d\\.\\d (\\d{3})\\b");
    private static final Pattern REPLY_CODE = Pattern.compile("Reply code: ([A-Za-z]+)");

    private RecentRequests() {
    }

    /** The newest {@code limit} traces of every tier, newest first (by their newest hop). */
    public static List<Row> newest(TraceHub hub, int limit) {
        Map<String, List<Hop>> byTrace = new LinkedHashMap<>();
        Map<String, Long> newest = new HashMap<>();
        for (TraceRecorder recorder : hub.recorders()) {
            for (Hop hop : recorder.hops()) {
                byTrace.computeIfAbsent(hop.traceId(), id -> new ArrayList<>()).add(hop);
                newest.merge(hop.traceId(), hop.startNanos(), Math::max);
            }
        }
        List<String> ids = new ArrayList<>(byTrace.keySet());
        ids.sort((a, b) -> Long.compare(newest.get(b), newest.get(a)));
        List<Row> rows = new ArrayList<>();
        for (String id : ids.subList(0, Math.min(Math.max(limit, 0), ids.size()))) {
            rows.add(row(new Trace(id, byTrace.get(id))));
        }
        return rows;
    }

    /** The full trace id of the one trace whose id starts with {@code prefix}, or null (none, or several). */
    public static String resolvePrefix(TraceHub hub, String prefix) {
        String found = null;
        for (TraceRecorder recorder : hub.recorders()) {
            for (Hop hop : recorder.hops()) {
                if (hop.traceId().startsWith(prefix) && !hop.traceId().equals(found)) {
                    if (found != null) {
                        return null;
                    }
                    found = hop.traceId();
                }
            }
        }
        return found;
    }

    static Row row(Trace trace) {
        String balancer = firstInstanceOf(trace, BALANCER_TIER);
        String servedBy = webServerThatAnswered(trace);
        Hop request = first(trace, Protocol.HTTP, Direction.RECEIVED);
        if (request != null) {
            String method = null;
            String target = null;
            Field line = find(request.fields(), "Request line");
            if (line != null && line.child("Method") != null && line.child("Request target") != null) {
                method = line.child("Method").value();
                target = line.child("Request target").value();
            } else {
                String[] words = request.summary().split(" ");
                if (words.length >= 2) {
                    method = words[0];
                    target = words[1];
                }
            }
            return new Row(trace, method, target, httpStatus(trace, request.instance()), balancer, servedBy);
        }
        Hop query = first(trace, Protocol.DNS, Direction.RECEIVED);
        if (query != null) {
            return new Row(trace, "DNS", query.summary(), dnsReplyCode(trace), balancer, servedBy);
        }
        Hop firstHop = trace.isEmpty() ? null : trace.hops().get(0);
        return new Row(trace, firstHop == null ? null : firstHop.protocol().name(),
                firstHop == null ? null : firstHop.summary(), null, balancer, servedBy);
    }

    /** The instance of the first hop of {@code tier}, or null. */
    private static String firstInstanceOf(Trace trace, String tier) {
        for (Hop hop : trace.hops()) {
            if (hop.tier().equals(tier)) {
                return hop.instance();
            }
        }
        return null;
    }

    /** The web server whose HTTP response was sent last; before any has answered, the first one reached. */
    private static String webServerThatAnswered(Trace trace) {
        String answered = null;
        for (Hop hop : trace.hops()) {
            if (hop.tier().equals(WEB_TIER) && hop.protocol() == Protocol.HTTP && hop.direction() == Direction.SENT) {
                answered = hop.instance();
            }
        }
        return answered != null ? answered : firstInstanceOf(trace, WEB_TIER);
    }

    private static String httpStatus(Trace trace, String instance) {
        String status = null;
        for (Hop hop : trace.hops()) {
            if (hop.protocol() != Protocol.HTTP || hop.direction() != Direction.SENT
                    || !hop.instance().equals(instance)) {
                continue;
            }
            Field line = find(hop.fields(), "Status line");
            if (line != null && line.child("Status code") != null) {
                status = line.child("Status code").value();
            } else {
                Matcher matcher = STATUS_IN_SUMMARY.matcher(hop.summary());
                if (matcher.find()) {
                    status = matcher.group(1);
                }
            }
        }
        return status;
    }

    private static String dnsReplyCode(Trace trace) {
        String code = null;
        for (Hop hop : trace.hops()) {
            if (hop.protocol() != Protocol.DNS || hop.direction() != Direction.SENT) {
                continue;
            }
            Field header = find(hop.fields(), "Header");
            Field flags = header == null ? null : header.child("Flags");
            Field reply = flags == null ? null : flags.child("Reply code");
            Matcher matcher = REPLY_CODE.matcher(reply != null ? reply.value() : hop.summary());
            if (matcher.find()) {
                code = matcher.group(1);
            }
        }
        return code;
    }

    private static Hop first(Trace trace, Protocol protocol, Direction direction) {
        for (Hop hop : trace.hops()) {
            if (hop.protocol() == protocol && hop.direction() == direction) {
                return hop;
            }
        }
        return null;
    }

    private static Field find(List<Field> fields, String name) {
        for (Field field : fields) {
            if (field.name().equals(name)) {
                return field;
            }
        }
        return null;
    }
}
