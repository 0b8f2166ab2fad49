package org.foobarstack.walk;

/**
 * Why a walk stopped before an HTTP response arrived. The exit codes are curl's, so that scripts and
 * learners who know curl read them the same way.
 */
public enum WalkFailure {
    /** The DNS server gave no address for the host (curl: "Could not resolve host"). */
    RESOLVE(6, "could not resolve host"),
    /** No TCP connection to the address and port (curl: "Failed to connect"). */
    CONNECT(7, "failed to connect"),
    /** Something took longer than the timeout (curl: "Operation timed out"). */
    TIMEOUT(28, "operation timed out"),
    /** The TLS handshake failed: untrusted certificate, wrong name, no common cipher. */
    TLS(35, "TLS handshake failed"),
    /** The server's answer was not an HTTP/1.1 response (curl: "Weird server reply"). */
    PROTOCOL(8, "the server's reply is not HTTP"),
    /** The connection broke while sending or receiving. */
    IO(56, "failure receiving data");

    private final int exitCode;
    private final String description;

    WalkFailure(int exitCode, String description) {
        this.exitCode = exitCode;
        this.description = description;
    }

    public int exitCode() {
        return exitCode;
    }

    public String description() {
        return description;
    }
}
