package org.foobarstack.walk;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceJson;

/**
 * Step 4 of a walk: ask the admin server what the stack recorded for this trace id
 * ({@code GET {base}/api/traces/{traceId}}, the JSON of docs/tracing.md). Any failure becomes one line
 * of explanation: a walk against a server that records nothing is still a good walk. When the address is
 * only the stack's default (nobody named one) and nothing listens there, that line says how to name one.
 */
final class TraceFetch {

    /** What came back: a trace, or a one-line reason why there is none. */
    record Result(Trace trace, String note) {
    }

    private final TraceJson json = new TraceJson();

    Result fetch(URI base, boolean isDefault, String traceId, Duration timeout) {
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        URI uri = URI.create(root + "api/traces/" + traceId);
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
                .GET().build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            if (isDefault) {
                // Most likely the stack is not running, or runs its admin server elsewhere: say which.
                return new Result(null, "no admin server on the stack's default address " + base
                        + " (connection refused); to fetch the server-side hops from another, give --trace-api URL");
            }
            return new Result(null, "server-side hops not available: GET " + uri + " failed: " + describe(e));
        } catch (IOException e) {
            return new Result(null, "server-side hops not available: GET " + uri + " failed: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, "server-side hops not available: interrupted while fetching " + uri);
        }
        if (response.statusCode() != 200) {
            return new Result(null, "server-side hops not available: GET " + uri + " answered "
                    + response.statusCode());
        }
        Trace trace;
        try {
            trace = json.read(response.body());
        } catch (IllegalArgumentException e) {
            return new Result(null, "server-side hops not available: GET " + uri + " answered with something that"
                    + " is not a trace: " + e.getMessage());
        }
        if (!trace.traceId().equals(traceId)) {
            return new Result(null, "server-side hops not available: GET " + uri + " answered with trace "
                    + trace.traceId());
        }
        if (trace.isEmpty()) {
            return new Result(trace, "the stack recorded no hops for trace " + traceId);
        }
        return new Result(trace, trace.hops().size() + " hops recorded by the stack, fetched from " + uri);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isEmpty() ? "" : ": " + message);
    }
}
