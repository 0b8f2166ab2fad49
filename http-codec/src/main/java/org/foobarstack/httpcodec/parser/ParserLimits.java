package org.foobarstack.httpcodec.parser;

/**
 * The sizes beyond which a parser refuses a message instead of buffering it: without them one peer could fill
 * the other's memory with a header section that never ends.
 *
 * @param maxRequestLineBytes  request line (or a response's status line), without its CRLF (414 beyond)
 * @param maxHeaderBytes       whole header section, trailers included (431 beyond)
 * @param maxHeaderFields      number of field lines (431 beyond)
 * @param maxBodyBytes         body after de-chunking (413 beyond)
 */
public record ParserLimits(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderFields, long maxBodyBytes) {

    /** The longest chunk-size line with extensions; extensions carry no meaning here, so 4 KiB is plenty. */
    public static final int MAX_CHUNK_LINE_BYTES = 4096;

    public static ParserLimits defaults() {
        return new ParserLimits(8 * 1024, 16 * 1024, 100, 10L * 1024 * 1024);
    }

    /**
     * What {@link HttpResponseParser} accepts from a server: the same line and field budgets as for requests, and
     * no limit on the body, which streams through without being held.
     */
    public static ParserLimits responseDefaults() {
        return new ParserLimits(8 * 1024, 16 * 1024, 100, Long.MAX_VALUE);
    }
}
