package org.foobarstack.doh;

import org.foobarstack.httpcodec.response.HttpStatus;

/**
 * Every way a DNS-over-HTTPS request can fail, with the HTTP status it gets and the rule that
 * decides it. The rule is printed on the error page and in the log line, so that a learner who
 * sees a 415 can look up why.
 */
public enum DohProblem {

    NOT_FOUND(HttpStatus.NOT_FOUND, "RFC 8484 §3",
            "the DoH endpoint is exactly /dns-query (the URI template's path)"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "RFC 8484 §4.1, RFC 9110 §15.5.6",
            "DoH queries are sent with GET or POST"),
    MISSING_DNS_PARAMETER(HttpStatus.BAD_REQUEST, "RFC 8484 §4.1",
            "a GET query carries the DNS message in the \"dns\" query parameter"),
    BAD_BASE64URL(HttpStatus.BAD_REQUEST, "RFC 8484 §4.1, RFC 4648 §5",
            "the \"dns\" parameter must be base64url (A-Z a-z 0-9 - _), padding omitted"),
    UNSUPPORTED_MEDIA_TYPE(new HttpStatus(415, "Unsupported Media Type"), "RFC 8484 §4.1, RFC 9110 §15.5.16",
            "a POST body must be sent with Content-Type: application/dns-message"),
    TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "RFC 8484 §4.1, RFC 1035 §4.2.2",
            "a DNS message is at most 65535 bytes"),
    NOT_A_DNS_QUERY(HttpStatus.BAD_REQUEST, "RFC 8484 §4.1, RFC 1035 §4.1",
            "the body is not a DNS query message"),
    DNS_SERVER_UNREACHABLE(HttpStatus.BAD_GATEWAY, "RFC 9110 §15.6.3",
            "the DNS server did not answer (nothing listening, or its answer was not DNS)"),
    DNS_SERVER_TIMEOUT(HttpStatus.GATEWAY_TIMEOUT, "RFC 9110 §15.6.5",
            "the DNS server did not answer in time"),
    BUSY(HttpStatus.SERVICE_UNAVAILABLE, "RFC 9110 §15.6.4",
            "too many DNS queries are waiting for an answer");

    private final HttpStatus status;
    private final String rule;
    private final String description;

    DohProblem(HttpStatus status, String rule, String description) {
        this.status = status;
        this.rule = rule;
        this.description = description;
    }

    public HttpStatus status() {
        return status;
    }

    public String rule() {
        return rule;
    }

    public String description() {
        return description;
    }
}
