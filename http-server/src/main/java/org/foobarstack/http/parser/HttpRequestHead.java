package org.foobarstack.http.parser;

/**
 * A request's line and header section, as the parser hands it on. Its body follows as {@link HttpBodyPart}s.
 *
 * @param method         the method token, case-sensitive (RFC 9110 §9.1): "GET", not "get"
 * @param target         the request-target, split into its parts
 * @param version        HTTP/1.0 or HTTP/1.1
 * @param fields         the header fields
 * @param framing        how the body is delimited
 * @param contentLength  the Content-Length, or -1 when the body is chunked or absent
 * @param keepAlive      whether the connection may carry another request after this one (RFC 9112 §9.3)
 * @param expectContinue whether the client waits for "100 Continue" before sending its body (RFC 9110 §10.1.1)
 */
public record HttpRequestHead(String method, RequestTarget target, HttpVersion version, HttpFields fields,
                              BodyFraming framing, long contentLength, boolean keepAlive, boolean expectContinue) {

    public boolean hasBody() {
        return framing == BodyFraming.CHUNKED || (framing == BodyFraming.CONTENT_LENGTH && contentLength > 0);
    }

    public boolean isHead() {
        return method.equals("HEAD");
    }

    /** "GET /index.html HTTP/1.1", as an access log shows it. */
    public String requestLine() {
        return method + " " + target.raw() + " " + version.text();
    }

    /** A copy that will close the connection after its response. */
    public HttpRequestHead withKeepAlive(boolean keep) {
        return new HttpRequestHead(method, target, version, fields, framing, contentLength, keep, expectContinue);
    }
}
