package org.foobarstack.app.fastcgi;

import org.foobarstack.app.AppServerConfig;
import org.foobarstack.fastcgi.FastCgiProtocolException.Violation;

import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.PARAMS_TOO_LARGE;
import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.STDIN_TOO_LARGE;

/**
 * The two streams a responder receives before it runs the application, in the order they come: PARAMS (FastCGI
 * §5.2), then STDIN (§5.3). Each is a run of records ended by an empty one, and each has a size limit, answered in
 * HTTP terms when it is passed.
 */
enum RequestStream {

    /** The CGI/1.1 environment as name-value pairs. Too large: 431 Request Header Fields Too Large. */
    PARAMS(ResponderRequest.State.PARAMS, 431, PARAMS_TOO_LARGE, "PARAMS stream over", "PARAMS stream over"),
    /** The request body. Too large: 413 Content Too Large. */
    STDIN(ResponderRequest.State.STDIN, 413, STDIN_TOO_LARGE, "STDIN over", "request body over");

    private final ResponderRequest.State state;
    private final int tooLargeStatus;
    private final Violation tooLarge;
    private final String logWords;
    private final String answerWords;

    RequestStream(ResponderRequest.State state, int tooLargeStatus, Violation tooLarge, String logWords,
                  String answerWords) {
        this.state = state;
        this.tooLargeStatus = tooLargeStatus;
        this.tooLarge = tooLarge;
        this.logWords = logWords;
        this.answerWords = answerWords;
    }

    /** The state a request is in while this stream arrives; a record of the stream in any other is out of order. */
    ResponderRequest.State state() {
        return state;
    }

    /** The most bytes the stream may carry. */
    int limit(AppServerConfig config) {
        return this == PARAMS ? config.maxParamsBytes() : config.maxStdinBytes();
    }

    /** The HTTP status of a request whose stream is over the limit. */
    int tooLargeStatus() {
        return tooLargeStatus;
    }

    Violation tooLarge() {
        return tooLarge;
    }

    /** The log's words for a stream over the limit: "STDIN over 1024 bytes". */
    String overLimitLogText(int limit) {
        return logWords + " " + limit + " bytes";
    }

    /** The error page's words for a stream over the limit: "request body over 1024 bytes (FastCGI §5.3)". */
    String overLimitAnswer(int limit) {
        return answerWords + " " + limit + " bytes (" + tooLarge.section() + ")";
    }
}
