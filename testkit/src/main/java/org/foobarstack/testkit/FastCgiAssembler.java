package org.foobarstack.testkit;

import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins the hops an app server records for one FastCGI request into one {@link RecordedFastCgiRequest}.
 *
 * <p>The app tier records a hop per record or stream, under the request's trace id:
 * <ol>
 *   <li>BEGIN_REQUEST received: a request starts; its role and flags are kept;</li>
 *   <li>PARAMS received: the whole PARAMS stream, once its empty record came; the pairs are kept;</li>
 *   <li>STDIN received: the whole body; the request is complete and handed out;</li>
 *   <li>END_REQUEST sent (or ABORT_REQUEST received): the request is over; one that never completed (refused
 *       before its STDIN ended) is forgotten.</li>
 * </ol>
 * Hops of one app server come in the order it recorded them, so a request is keyed by its instance, trace id
 * and request id. Not thread-safe: one feed thread calls it.
 */
final class FastCgiAssembler {

    private static final Pattern REQUEST_ID = Pattern.compile("\\bid=(\\d+)");
    private static final Pattern ROLE = Pattern.compile("\\brole=(\\w+)");

    /** What is known of a request between its BEGIN_REQUEST and its STDIN. */
    private static final class Pending {
        final Hop begin;
        final List<String> records = new ArrayList<>();
        Map<String, String> params = Map.of();

        Pending(Hop begin) {
            this.begin = begin;
            records.add(begin.summary());
        }
    }

    private final Map<String, Pending> pending = new HashMap<>();

    /** Takes one FastCGI hop of an app server; returns the request it completes, if it completes one. */
    Optional<RecordedFastCgiRequest> accept(Hop hop) {
        if (hop.protocol() != Protocol.FASTCGI) {
            throw new IllegalArgumentException("not a FastCGI hop: " + hop);
        }
        String summary = hop.summary();
        String key = key(hop);
        if (hop.direction() == Direction.SENT) {
            if (summary.startsWith("END_REQUEST")) {
                pending.remove(key);
            }
            return Optional.empty();
        }
        if (summary.startsWith("BEGIN_REQUEST")) {
            pending.put(key, new Pending(hop));
            return Optional.empty();
        }
        Pending request = pending.get(key);
        if (request == null) {
            return Optional.empty();
        }
        request.records.add(summary);
        if (summary.startsWith("PARAMS")) {
            request.params = params(hop.fields());
        } else if (summary.startsWith("STDIN")) {
            pending.remove(key);
            return Optional.of(complete(request, hop));
        } else if (summary.startsWith("ABORT_REQUEST")) {
            pending.remove(key);
        }
        return Optional.empty();
    }

    /** How many requests have begun and not yet completed. */
    int pendingCount() {
        return pending.size();
    }

    private static RecordedFastCgiRequest complete(Pending request, Hop stdinHop) {
        Field content = HopFields.find(stdinHop.fields(), "Stream content").orElse(null);
        String body = "";
        int length = 0;
        if (content != null && content.hasOffset()) {
            length = content.length();
            // "28 bytes: {...}", the text cut at 256 bytes; "empty" when there was no body
            int colon = content.value().indexOf(": ");
            body = colon < 0 ? "" : content.value().substring(colon + 2);
        }
        Hop begin = request.begin;
        Matcher role = ROLE.matcher(begin.summary());
        return new RecordedFastCgiRequest(begin.traceId(), begin.instance(), begin.peer(), requestId(begin),
                role.find() ? role.group(1) : "", begin.summary().contains("keep-conn"), request.params, body,
                length, request.records, begin.startNanos());
    }

    private static Map<String, String> params(List<Field> fields) {
        Map<String, String> params = new LinkedHashMap<>();
        HopFields.find(fields, "Name-value pairs").ifPresent(pairs -> {
            for (Field pair : pairs.children()) {
                if (pair.child("Name") != null) {
                    params.put(HopFields.childValue(pair, "Name"), HopFields.childValue(pair, "Value"));
                }
            }
        });
        return params;
    }

    private static String key(Hop hop) {
        return hop.instance() + " " + hop.traceId() + " " + requestId(hop);
    }

    private static int requestId(Hop hop) {
        Matcher m = REQUEST_ID.matcher(hop.summary());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
