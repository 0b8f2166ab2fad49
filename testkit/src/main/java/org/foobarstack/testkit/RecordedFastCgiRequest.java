package org.foobarstack.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One FastCGI request as an app server received it: its BEGIN_REQUEST record, its PARAMS stream (the CGI
 * variables the web server made from the HTTP request) and its STDIN stream (the request body), each stream the
 * records that carried it up to the empty record that ends it (FastCGI §3.3).
 *
 * <p>Values are as the trace shows them: a param value or a body longer than 256 bytes is cut there and ends in
 * {@code ...}; {@link #stdinLength()} is the whole body's length.
 *
 * @param traceId        the trace id, from the {@code HTTP_TRACEPARENT} param the web server passed on
 * @param instance       which app server: {@code app-1}...
 * @param peer           the web server's address and port
 * @param requestId      the FastCGI request id on its connection
 * @param role           {@code RESPONDER}
 * @param keepConnection whether the web server asked to keep the connection (FCGI_KEEP_CONN)
 * @param params         the PARAMS name-value pairs, in the order sent
 * @param stdin          the body as text, {@code ""} for none
 * @param stdinLength    the body's length in bytes
 * @param records        one line per record or stream received, in order: BEGIN_REQUEST, PARAMS, STDIN
 * @param startNanos     {@link System#nanoTime()} when BEGIN_REQUEST arrived
 */
public record RecordedFastCgiRequest(String traceId, String instance, String peer, int requestId, String role,
                                     boolean keepConnection, Map<String, String> params, String stdin,
                                     int stdinLength, List<String> records, long startNanos) {

    public RecordedFastCgiRequest {
        Objects.requireNonNull(traceId, "traceId");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        Objects.requireNonNull(stdin, "stdin");
        records = List.copyOf(records);
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /** {@code REQUEST_METHOD}: the HTTP method the web server received. */
    public String method() {
        return params.getOrDefault("REQUEST_METHOD", "");
    }

    /** {@code REQUEST_URI}: the HTTP request target the web server received. */
    public String requestUri() {
        return params.getOrDefault("REQUEST_URI", "");
    }
}
