package org.foobarstack.httpcodec.parser;

/**
 * Every reason a parser refuses a message, with the rule it breaks and the status the server answers with.
 *
 * <p>The rule travels into the error page and the log line, so that a reader who meets a 400 can open the RFC at
 * the right section. Most violations are 400 Bad Request; the few others are named by RFC 9110 §15.
 */
public enum HttpViolation {
    // ---- request line (RFC 9112 §3) ----
    REQUEST_LINE_TOO_LONG("RFC 9112 §3", 414, "the request line is longer than this server accepts"),
    /**
     * The first bytes are a TLS record header (RFC 8446 §5.1: content type 22, handshake; legacy version 3.x), not
     * a request line: a client, typically a browser trying HTTPS first, began a TLS handshake on a port that speaks
     * plain HTTP. Answered as nginx answers bytes it cannot read as a request line: 400, then the connection closes.
     */
    TLS_HANDSHAKE_ON_PLAIN_PORT("RFC 8446 §5.1", 400,
            "a TLS handshake sent to the plain HTTP port: use http:// here, or https:// and the HTTPS port"),
    BARE_LF("RFC 9112 §2.2", 400, "a line ends in LF without CR"),
    BARE_CR("RFC 9112 §2.2", 400, "a CR is not followed by LF"),
    MALFORMED_REQUEST_LINE("RFC 9112 §3", 400, "the request line is not: method SP request-target SP HTTP-version"),
    INVALID_METHOD("RFC 9110 §9.1", 400, "the method is not a token"),
    INVALID_TARGET("RFC 9112 §3.2", 400, "the request-target is not a valid origin, absolute, authority or asterisk form"),
    /**
     * "#" starts a fragment, which is the client's own business (RFC 3986 §3.5) and has no place in any of the
     * four forms of request-target. Dropping it instead, as many servers do, would serve a resource for a target
     * the client did not send; a proxy in front could have judged the request by the whole string.
     */
    FRAGMENT_IN_TARGET("RFC 9112 §3.2", 400,
            "a fragment (\"#...\") is not part of a request-target: the client keeps it (RFC 3986 §3.5)"),
    /**
     * An absolute-form target with userinfo ({@code http://user@www.foobar.com/}): a sender MUST NOT generate it,
     * and a recipient SHOULD treat it as an error (RFC 9110 §4.2.4); it is the classic way to make a URL look as if
     * it pointed to another host ({@code http://www.bank.example@evil.example/}).
     */
    USERINFO_IN_TARGET("RFC 9110 §4.2.4", 400,
            "userinfo (\"user@\") in an http or https URI is deprecated and refused"),
    /** A bracketed host that is not an IPv6 address: unclosed, bad hex, a zone ID, or IPvFuture (see HostSyntax). */
    INVALID_IP_LITERAL("RFC 3986 §3.2.2", 400,
            "the host is not a valid IP literal: \"[\" IPv6 address \"]\" (IPvFuture and zone IDs are not accepted)"),
    /**
     * A host that ends in a number yet is not a dotted-decimal IPv4 address ({@code 256.1.1.1}, {@code 0x7f.1}):
     * a reg-name by RFC 3986's grammar, but not a DNS name, and read as an address by other software (see
     * HostSyntax).
     */
    NUMERIC_HOST("RFC 1123 §2.1", 400,
            "the host ends in a number, so it is no host name, yet it is not an IPv4 address (four octets 0-255)"),
    INVALID_VERSION("RFC 9112 §2.3", 400, "the protocol is not HTTP-version (\"HTTP/\" DIGIT \".\" DIGIT)"),
    UNSUPPORTED_VERSION("RFC 9110 §15.6.6", 505, "this server speaks HTTP/1.0 and HTTP/1.1 on this connection"),
    UNKNOWN_METHOD("RFC 9110 §9.1", 501, "the method is not one this server implements"),
    CONNECT_NOT_SUPPORTED("RFC 9110 §9.3.6", 501, "CONNECT asks for a tunnel; this is an origin server, not a proxy"),

    // ---- header section (RFC 9112 §5, RFC 9110 §5) ----
    HEADER_SECTION_TOO_LARGE("RFC 6585 §5", 431, "the header section is larger than this server accepts"),
    TOO_MANY_FIELDS("RFC 6585 §5", 431, "the request has more header fields than this server accepts"),
    WHITESPACE_AFTER_START_LINE("RFC 9112 §2.2", 400, "whitespace between the start line and the first field line"),
    OBSOLETE_LINE_FOLDING("RFC 9112 §5.2", 400, "a field line starts with whitespace (obs-fold)"),
    MISSING_COLON("RFC 9112 §5", 400, "a field line has no colon"),
    WHITESPACE_BEFORE_COLON("RFC 9112 §5.1", 400, "whitespace between a field name and its colon"),
    INVALID_FIELD_NAME("RFC 9110 §5.1", 400, "a field name is empty or not a token"),
    INVALID_FIELD_VALUE("RFC 9110 §5.5", 400, "a field value contains NUL, CR, LF or another control character"),
    MISSING_HOST("RFC 9112 §3.2", 400, "an HTTP/1.1 request must carry a Host header field"),
    MULTIPLE_HOSTS("RFC 9112 §3.2", 400, "more than one Host header field"),
    INVALID_HOST("RFC 9112 §3.2", 400, "the Host header field is not uri-host [ \":\" port ]"),
    UNSUPPORTED_EXPECTATION("RFC 9110 §10.1.1", 417, "the only expectation this server knows is 100-continue"),

    // ---- message body framing (RFC 9112 §6, §7) ----
    MULTIPLE_CONTENT_LENGTHS("RFC 9112 §6.3", 400, "more than one Content-Length"),
    INVALID_CONTENT_LENGTH("RFC 9110 §8.6", 400, "Content-Length is not a decimal number of bytes"),
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING("RFC 9112 §6.3", 400, "both Content-Length and Transfer-Encoding"),
    TRANSFER_ENCODING_IN_HTTP_1_0("RFC 9112 §6.1", 400, "Transfer-Encoding in an HTTP/1.0 request"),
    CHUNKED_NOT_LAST("RFC 9112 §6.3", 400, "Transfer-Encoding whose final coding is not chunked"),
    CHUNKED_TWICE("RFC 9112 §6.1", 400, "chunked applied more than once"),
    UNKNOWN_TRANSFER_CODING("RFC 9112 §6.1", 501, "a transfer coding this server does not implement"),
    INVALID_CHUNK_SIZE("RFC 9112 §7.1", 400, "a chunk size is not hexadecimal digits"),
    CHUNK_SIZE_OVERFLOW("RFC 9112 §7.1", 400, "a chunk size too large to represent"),
    INVALID_CHUNK_EXTENSION("RFC 9112 §7.1.1", 400, "a chunk extension is not ; name [ = token / quoted-string ]"),
    CHUNK_LINE_TOO_LONG("RFC 9112 §7.1.1", 400, "a chunk-size line with its extensions is longer than this server accepts"),
    MISSING_CRLF_AFTER_CHUNK("RFC 9112 §7.1", 400, "chunk data is not followed by CRLF"),
    BODY_TOO_LARGE("RFC 9110 §15.5.14", 413, "the body is larger than this server accepts"),

    // ---- responses, as a proxy or client reads them (RFC 9112 §4, §6.3, §8); a proxy answers 502 for each ----
    STATUS_LINE_TOO_LONG("RFC 9112 §4", 502, "the status line is longer than accepted"),
    MALFORMED_STATUS_LINE("RFC 9112 §4", 502, "the status line is not: HTTP-version SP status-code SP [ reason-phrase ]"),
    INVALID_STATUS_CODE("RFC 9110 §15", 502, "the status code is not three digits from 100 to 599"),
    INVALID_REASON_PHRASE("RFC 9112 §4", 502, "the reason phrase contains a control character"),
    UNREQUESTED_PROTOCOL_SWITCH("RFC 9110 §15.2.2", 502, "101 Switching Protocols without an Upgrade request"),
    UNSOLICITED_RESPONSE("RFC 9112 §9.3", 502, "bytes arrived while no request was waiting for a response"),
    INCOMPLETE_RESPONSE("RFC 9112 §8", 502, "the connection closed before the end of the response");

    private final String rule;
    private final int status;
    private final String description;

    HttpViolation(String rule, int status, String description) {
        this.rule = rule;
        this.status = status;
        this.description = description;
    }

    /** The RFC section this violation breaks, e.g. "RFC 9112 §6.3". */
    public String rule() {
        return rule;
    }

    /** The status code the server answers with. */
    public int status() {
        return status;
    }

    public String description() {
        return description;
    }

    /** "RFC 9112 §6.3: both Content-Length and Transfer-Encoding" */
    @Override
    public String toString() {
        return rule + ": " + description;
    }
}
