package org.foobarstack.trace.faults;

/**
 * WHEN a {@link Fault} fires: a point in the life of one request (HTTP, FastCGI) or one query (DNS), as the
 * server that holds the plan sees it.
 *
 * <p>The two body triggers count bytes: a fault made with {@code after(n)} fires at the point where byte
 * {@code n + 1} of that body would pass, so it cuts the body after exactly {@code n} bytes; a body of {@code n}
 * bytes or fewer never reaches it. The other triggers happen once per request (or query).
 */
public enum Trigger {

    REQUEST_START("the request has arrived, before the server works on it: the head (HTTP), "
            + "BEGIN_REQUEST and the whole PARAMS stream (FastCGI)"),
    REQUEST_BODY("part of the request body has arrived: the body after its head (HTTP), STDIN (FastCGI)"),
    RESPONSE_START("the response is about to start: its status line and fields (HTTP), its first STDOUT "
            + "record (FastCGI)"),
    RESPONSE_BODY("the response body is going out: the body after the head (HTTP), the STDOUT stream, "
            + "CGI header block included (FastCGI)"),
    RESPONSE_END("the whole response has been written: the last chunk (HTTP), END_REQUEST (FastCGI)"),
    QUERY("a DNS query has arrived, over UDP or TCP"),
    QUERY_OVER_UDP("a DNS query has arrived in a UDP datagram"),
    QUERY_OVER_TCP("a DNS query has arrived on a TCP connection");

    private final String description;

    Trigger(String description) {
        this.description = description;
    }

    /** What has just happened when a fault with this trigger fires. */
    public String description() {
        return description;
    }

    /** Whether faults with this trigger take {@code after(bytes)}: only the two body triggers count bytes. */
    public boolean countsBytes() {
        return this == REQUEST_BODY || this == RESPONSE_BODY;
    }

    /** Whether this is one of the DNS triggers. */
    public boolean isQuery() {
        return this == QUERY || this == QUERY_OVER_UDP || this == QUERY_OVER_TCP;
    }

    /**
     * Whether a fault with this trigger fires at {@code point}, the place a server has reached: the same
     * trigger, or {@link #QUERY} at either transport's query.
     */
    public boolean matches(Trigger point) {
        return this == point || (this == QUERY && point.isQuery());
    }
}
