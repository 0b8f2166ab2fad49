package org.foobarstack.fastcgi.client;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web server's side of FastCGI: sends requests to one responder over a pool of kept-alive connections.
 *
 * <p>How a call goes, step by step:
 * <ol>
 *   <li>{@link #send} is called on an event loop (the HTTP connection's own). Each event loop has its own pool
 *       of connections, all on that loop, so a call never crosses threads.</li>
 *   <li>The pool's first connection asks the responder about itself with GET_VALUES (FCGI_MAX_CONNS,
 *       FCGI_MAX_REQS, FCGI_MPXS_CONNS; §4.1) before any request, and then joins the pool. A responder that does
 *       not answer in time is taken as non-multiplexing (that connection is closed). The answer is asked again
 *       after the responder was unreachable, since it may have restarted with other settings.</li>
 *   <li>The call waits for a connection with a free slot: one slot per connection, or FCGI_MAX_REQS slots when the
 *       responder said FCGI_MPXS_CONNS=1. A new connection is opened while the pool is below its size.</li>
 *   <li>On its connection the call sends BEGIN_REQUEST (role RESPONDER, flag KEEP_CONN), its PARAMS stream and an
 *       empty PARAMS record, then STDIN records as the caller supplies body bytes, and an empty STDIN record
 *       at the end of the body.</li>
 *   <li>STDOUT and STDERR records stream to the {@link FastCgiResponseListener}; END_REQUEST ends the call and
 *       frees the slot; the connection stays open for the next call.</li>
 *   <li>A refused connect, a broken connection or a silent responder ends the call with a
 *       {@link FastCgiClientException} whose kind the web tier turns into 502 or 504.</li>
 * </ol>
 */
public final class FastCgiClient implements AutoCloseable {

    private final InetSocketAddress address;
    private final Class<? extends Channel> channelType;
    private final FastCgiClientConfig config;
    private final Map<EventLoop, ConnectionPool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param address     the responder
     * @param channelType the socket channel class matching the event loops calls are made on (NioSocketChannel,
     *                    EpollSocketChannel)
     */
    public FastCgiClient(InetSocketAddress address, Class<? extends Channel> channelType, FastCgiClientConfig config) {
        this.address = address;
        this.channelType = channelType;
        this.config = config;
    }

    public InetSocketAddress address() {
        return address;
    }

    /**
     * Starts a request. Must be called on {@code loop}; every callback of {@code listener} runs there too.
     *
     * @param params the CGI params (RFC 3875 §4.1), sent as the PARAMS stream
     * @return the call, through which the body is sent as it arrives
     */
    public FastCgiCall send(EventLoop loop, Map<String, String> params, FastCgiResponseListener listener) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("FastCgiClient.send must be called on the event loop it names");
        }
        FastCgiCall call = new FastCgiCall(params, listener, config);
        if (closed) {
            call.fail(new FastCgiClientException(FastCgiClientException.Kind.CONNECT_FAILED, "client is closed"));
            return call;
        }
        pools.computeIfAbsent(loop, l -> new ConnectionPool(l, address, channelType, config)).submit(call);
        return call;
    }

    /** What the responder said about itself on {@code loop}'s pool, or null before the first call there. */
    public ServerCapabilities capabilities(EventLoop loop) {
        ConnectionPool pool = pools.get(loop);
        return pool == null ? null : pool.capabilities();
    }

    /** Open connections over all pools, for tests and metrics. */
    public int openConnections() {
        return pools.values().stream().mapToInt(ConnectionPool::size).sum();
    }

    /** Closes every pooled connection; calls in flight fail with CONNECTION_LOST. */
    @Override
    public void close() {
        closed = true;
        for (ConnectionPool pool : pools.values()) {
            pool.loop().execute(pool::close);
        }
    }
}
