package org.foobarstack.fastcgi.client;

import org.foobarstack.fastcgi.FastCgiRecord;

/**
 * Sees every record of one call as it crosses the wire, for a trace: the web tier records the FastCGI hops of a
 * request with it. Passed to {@link FastCgiClient#send(io.netty.channel.EventLoop, java.util.Map,
 * FastCgiResponseListener, FastCgiRecordObserver)}; called on the call's event loop.
 *
 * <p>The record's content is readable during the call and belongs to the client: an observer copies what it wants
 * to keep and neither keeps nor releases the record. Records seen, in order: BEGIN_REQUEST, the PARAMS stream (its
 * last record empty), the STDIN stream (likewise) as the body arrives; then STDOUT and STDERR records and
 * END_REQUEST from the responder. A call that fails before END_REQUEST simply sees no more records.
 */
public interface FastCgiRecordObserver {

    /** An observer that looks at nothing, for calls that are not traced. */
    FastCgiRecordObserver NONE = new FastCgiRecordObserver() {
    };

    /** {@code record} is about to be written to the responder. */
    default void sending(FastCgiRecord record) {
    }

    /** {@code record} arrived from the responder, before the call acts on it. */
    default void received(FastCgiRecord record) {
    }
}
