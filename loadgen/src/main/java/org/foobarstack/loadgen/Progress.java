package org.foobarstack.loadgen;

/**
 * A running load at one moment, for a progress line or a demo that watches it. Every request is either still
 * outstanding (waiting for a connection or for its response), answered or failed, so
 * {@code sent - answered - failed} is the number outstanding.
 *
 * @param elapsedMillis time since the run started
 * @param sent          requests scheduled so far: every request whose intended start has come, whether or not a
 *                      connection was free to write it
 * @param answered      requests that got a complete response, whatever its status
 * @param failed        requests that got no response (see {@link FailureKind})
 * @param currentRps    responses received during the last full second: the rate that is getting through, which
 *                      falls to 0 while the server is down although requests are still being sent
 */
public record Progress(long elapsedMillis, long sent, long answered, long failed, double currentRps) {

    /** "12.0 s  sent 2400  answered 2240  failed 160  200 answered/s" */
    public String toLine() {
        return String.format(java.util.Locale.ROOT, "%5.1f s  sent %d  answered %d  failed %d  %.0f answered/s",
                elapsedMillis / 1000.0, sent, answered, failed, currentRps);
    }
}
