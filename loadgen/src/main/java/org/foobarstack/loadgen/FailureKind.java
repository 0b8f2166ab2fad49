package org.foobarstack.loadgen;

/**
 * Why a request got no response. A request that got any complete response, even a 500, is not a failure here: it
 * was <em>answered</em>, and counted by its status code.
 *
 * <p>The kinds follow the order in which a request can go wrong: it needs a connection ({@link #REFUSED},
 * {@link #CONNECT_TIMEOUT}), then the connection must stay up ({@link #RESET}), the answer must come in time
 * ({@link #TIMEOUT}) and it must be HTTP ({@link #PROTOCOL}).
 */
public enum FailureKind {

    /**
     * The connection could not be opened: nothing listens on the port (the peer answered the SYN with a RST), or
     * there is no route to it. On one machine this is what a stopped server looks like.
     */
    REFUSED("refused"),

    /** The connection was not open before the request's deadline: the SYN got no answer at all. */
    CONNECT_TIMEOUT("connect_timeout"),

    /**
     * The connection was reset or closed before the response was complete, including a close before any byte of
     * it arrived: what a server that crashes, or is killed, in the middle of a request looks like.
     */
    RESET("reset"),

    /**
     * No complete response before the request's deadline, its intended start plus the timeout. The connection is
     * then closed, since a late response would otherwise be taken for the answer to the next request. A request
     * that waited for a free connection until its deadline fails this way too, without being written.
     */
    TIMEOUT("timeout"),

    /** The server's bytes are not an HTTP/1.1 response; the report names the rule they broke. */
    PROTOCOL("protocol");

    private final String key;

    FailureKind(String key) {
        this.key = key;
    }

    /** The name used in reports and JSON, e.g. "connect_timeout". */
    public String key() {
        return key;
    }

    @Override
    public String toString() {
        return key;
    }
}
