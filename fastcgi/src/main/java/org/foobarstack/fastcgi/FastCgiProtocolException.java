package org.foobarstack.fastcgi;

/**
 * A peer broke a rule of the FastCGI specification. The message names the rule's section, so that the one log
 * line written for it tells a reader where to look.
 */
public class FastCgiProtocolException extends RuntimeException {

    private final Violation violation;

    public FastCgiProtocolException(Violation violation, String detail) {
        super(violation.section() + ": " + violation.description() + " (" + detail + ")");
        this.violation = violation;
    }

    public Violation violation() {
        return violation;
    }

    /** Every way a byte stream can fail to be FastCGI, with the section of the specification it breaks. */
    public enum Violation {
        UNSUPPORTED_VERSION("FastCGI §3.3", "the version byte must be 1 (FCGI_VERSION_1)"),
        MALFORMED_BODY("FastCGI §5", "a record's content does not have its type's fixed layout"),
        MALFORMED_NAME_VALUE_PAIR("FastCGI §3.4", "a name-value pair's lengths run past the end of its stream"),
        PARAMS_TOO_LARGE("FastCGI §3.4", "the PARAMS stream is larger than this server accepts"),
        UNEXPECTED_RECORD("FastCGI §3.3", "a record arrived that makes no sense at this point of the request"),
        DUPLICATE_REQUEST_ID("FastCGI §3.3", "a BEGIN_REQUEST reused the id of a request that is still active"),
        STDIN_TOO_LARGE("FastCGI §5.3", "the STDIN stream is larger than this server accepts"),
        WRONG_REQUEST_ID("FastCGI §3.3",
                "management records carry request id 0 and application records a non-zero id"),
        STREAM_ORDER("FastCGI §6.2", "a responder receives the PARAMS stream first, then the STDIN stream"),
        STREAM_TIMEOUT("FastCGI §3.3", "a request's PARAMS and STDIN streams did not end in time");

        private final String section;
        private final String description;

        Violation(String section, String description) {
            this.section = section;
            this.description = description;
        }

        public String section() {
            return section;
        }

        public String description() {
            return description;
        }
    }
}
