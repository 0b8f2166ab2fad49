package org.foobarstack.lb.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.foobarstack.httpcodec.parser.HttpResponseParser;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.tls.TlsHandshake;

/**
 * One kept-alive connection from the balancer to one server, the last handler of its pipeline:
 *
 * <pre>
 *   [SslHandler] → HttpResponseParser → RequestHeadEncoder → IdleStateHandler → BackendConnection
 * </pre>
 * (the SslHandler when the balancer re-encrypts to its servers: {@code backendTls}).
 *
 * While an exchange uses it, everything the parser emits goes to that exchange ({@link Listener}); while it sits
 * idle in {@link BackendConnections}, anything but silence ends it: the server closing it, bytes nobody asked for,
 * or {@code idle} time passing without a byte read (it is then closed before the server's own keep-alive timeout
 * can close it under a request; a request in progress is left to {@code timeout server}). The idle timer watches
 * reads only: one that watched writes too would add a listener to every write. Everything runs on the connection's event loop, which is also its client's.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter {

    /** The exchange using the connection. */
    interface Listener {
        /** A message of the parser: a response head, a body part (to release) or an error. */
        void fromServer(Object message);

        /** The server closed the connection. */
        void serverClosed();

        /** The connection's write buffer drained (or filled): the client's reading follows it. */
        void serverWritabilityChanged(boolean writable);
    }

    private final Server server;
    private final BackendConnections pool;
    private Channel channel;
    private Listener listener;
    private int requests;
    private TlsHandshake tls;

    BackendConnection(Server server, BackendConnections pool) {
        this.server = server;
        this.pool = pool;
    }

    Server server() {
        return server;
    }

    Channel channel() {
        return channel;
    }

    HttpResponseParser parser() {
        return channel.pipeline().get(HttpResponseParser.class);
    }

    /** How many requests this connection has carried, the current one included. */
    int requests() {
        return requests;
    }

    /** The handshake that opened it, when it is encrypted; null for plain HTTP. */
    TlsHandshake tls() {
        return tls;
    }

    void tlsEstablished(TlsHandshake handshake) {
        this.tls = handshake;
    }

    /** Whether it carried a request before the current one: a server may have closed it meanwhile. */
    boolean reused() {
        return requests > 1;
    }

    void attach(Listener newListener) {
        this.listener = newListener;
        requests++;
    }

    void detach() {
        this.listener = null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ctx.fireChannelActive();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Listener current = listener;
        if (current != null) {
            current.fromServer(msg);
        } else {
            // nothing was asked: the parser reports it as an error; either way the connection is not trusted
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Listener current = listener;
        listener = null;
        pool.forget(this);
        if (current != null) {
            current.serverClosed();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Listener current = listener;
        if (current != null) {
            current.serverWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset or a read error: the close that follows tells the listener
        ctx.close();
    }
}
