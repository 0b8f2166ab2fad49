package org.foobarstack.fastcgi.client;

import io.netty.buffer.ByteBuf;
import org.foobarstack.fastcgi.EndRequestBody;

/**
 * Receives one request's answer as it streams in, on the event loop the call was made on. Exactly one of
 * {@link #onEnd} and {@link #onError} is called, last.
 */
public interface FastCgiResponseListener {

    /** A piece of the STDOUT stream (FastCGI §5.3): the CGI response, header block first. The listener owns it. */
    void onStdout(ByteBuf data);

    /** A piece of the STDERR stream: the application's error output, for the log. The listener owns it. */
    default void onStderr(ByteBuf data) {
        data.release();
    }

    /** END_REQUEST arrived with protocolStatus REQUEST_COMPLETE (§5.5). */
    void onEnd(EndRequestBody end);

    /** The call failed; see {@link FastCgiClientException#kind()}. */
    void onError(FastCgiClientException error);
}
