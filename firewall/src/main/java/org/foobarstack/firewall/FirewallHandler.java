package org.foobarstack.firewall;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A host's firewall for the TCP connections it accepts: the first handler of every accepted connection, which
 * judges it before any of the server's handlers hears of it.
 *
 * <p>{@link #install} puts it at the head of a new connection's pipeline (call it from the server's
 * {@code initChannel}). When the connection becomes active it asks the {@link Firewall} about the client's address
 * and this host's port, and then:
 * <ul>
 *   <li><b>accept</b>: it removes itself and passes {@code channelActive} on. From then on the connection is the
 *       server's alone, and costs nothing more.</li>
 *   <li><b>reject</b>: it closes the connection with {@code SO_LINGER} 0, which makes the kernel send a reset
 *       (RST) instead of the polite FIN. The client's next read or write fails with "Connection reset" (its
 *       {@code connect()} itself, if the reset arrives before that call returns). nftables'
 *       {@code reject with tcp reset} answers the SYN itself with a reset, so a real client's {@code connect()}
 *       fails with "Connection refused"; here the kernel has already completed the handshake when the server
 *       first sees the connection, so the client's connect succeeds and the reset comes a moment later. Either
 *       way the client knows at once.</li>
 *   <li><b>drop</b>: the client must get no answer at all. It stops reading ({@code autoRead} off), never writes,
 *       and leaves the connection open until the client gives up and closes it, or until the hold time is over,
 *       when it closes it with a reset. A real {@code drop} throws the SYN away, so a real client's
 *       {@code connect()} hangs, retrying the SYN (Linux gives up after {@code net.ipv4.tcp_syn_retries} = 6
 *       retries, about 127 s: hence the default hold of 2 minutes). Here the kernel has completed the handshake,
 *       so the client's connect succeeds and its first read hangs instead. Both end in the client's own
 *       timeout, which is what a learner should see.</li>
 * </ul>
 *
 * <p>Nothing of a blocked connection reaches the handlers behind this one: no {@code channelActive}, no
 * {@code channelRead}, no {@code channelInactive}. It stays only in the pipeline of a connection it blocked, and
 * stops every event there.
 *
 * <p>How the client's giving up is noticed depends on the transport. With epoll (Linux), the kernel reports the
 * client's FIN ({@code EPOLLRDHUP}) even while nothing is read, and Netty then reads what is left and sees the end
 * of the stream; what it reads is released here, unseen. Java's NIO reports nothing while no read is asked for,
 * so there a dropped connection is held until the hold time is over.
 */
@Sharable
public final class FirewallHandler extends ChannelInboundHandlerAdapter {

    /** The name the handler has in a pipeline. */
    public static final String NAME = "firewall";
    /** How long a dropped connection is held open at most: about as long as Linux retries a dropped SYN. */
    public static final Duration DEFAULT_DROP_HOLD = Duration.ofMinutes(2);

    /** Set on a connection this handler blocked; its events stop here. */
    private static final AttributeKey<Verdict> BLOCKED = AttributeKey.valueOf(FirewallHandler.class, "blocked");

    private final Firewall firewall;
    private final Duration dropHold;

    public FirewallHandler(Firewall firewall) {
        this(firewall, DEFAULT_DROP_HOLD);
    }

    /** @param dropHold how long a dropped connection is held open at most before it is reset */
    public FirewallHandler(Firewall firewall, Duration dropHold) {
        this.firewall = Objects.requireNonNull(firewall, "firewall");
        this.dropHold = Objects.requireNonNull(dropHold, "dropHold");
        if (dropHold.isNegative() || dropHold.isZero()) {
            throw new IllegalArgumentException("the drop hold must be positive, not " + dropHold);
        }
    }

    /** Puts the firewall at the head of an accepted connection's pipeline; call it from {@code initChannel}. */
    public static void install(Channel child, Firewall firewall) {
        install(child, firewall, DEFAULT_DROP_HOLD);
    }

    /** As {@link #install(Channel, Firewall)}, holding dropped connections at most {@code dropHold}. */
    public static void install(Channel child, Firewall firewall, Duration dropHold) {
        child.pipeline().addFirst(NAME, new FirewallHandler(firewall, dropHold));
    }

    /**
     * Decides an accepted connection at once, from a server's {@code initChannel}: true when it may go on (nothing
     * is added to its pipeline); false when the firewall blocks it, in which case the firewall alone handles it
     * from now on (reset, or held unanswered) and the server must add nothing to it. The connection is checked,
     * counted and logged once.
     */
    public static boolean admit(Channel child, Firewall firewall) {
        Verdict verdict = firewall.check(Protocol.TCP, (InetSocketAddress) child.remoteAddress(),
                (InetSocketAddress) child.localAddress());
        if (verdict.accepted()) {
            return true;
        }
        child.attr(BLOCKED).set(verdict);
        child.pipeline().addFirst(NAME, new FirewallHandler(firewall, DEFAULT_DROP_HOLD));
        return false;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        Verdict verdict = ch.attr(BLOCKED).get(); // already decided by admit()
        if (verdict == null) {
            verdict = firewall.check(Protocol.TCP, (InetSocketAddress) ch.remoteAddress(),
                    (InetSocketAddress) ch.localAddress());
            if (verdict.accepted()) {
                // this connection is the server's now: the firewall steps out of its way for good
                ctx.pipeline().remove(this);
                ctx.fireChannelActive();
                return;
            }
            ch.attr(BLOCKED).set(verdict);
        }
        if (verdict.action() == Action.REJECT) {
            resetAndClose(ch);
        } else {
            hold(ctx);
        }
    }

    /** Drop: read nothing, answer nothing, and let the client's timeout end it (or the hold, at the latest). */
    private void hold(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        // the head of the pipeline asks for the first read right after channelActive, if autoRead is on
        ch.config().setAutoRead(false);
        ScheduledFuture<?> timeUp = ctx.executor().schedule(() -> resetAndClose(ch), dropHold.toMillis(),
                TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> timeUp.cancel(false));
    }

    /** Closes with a reset: {@code SO_LINGER} 0 tells the kernel to discard what is unsent and send RST. */
    static void resetAndClose(Channel ch) {
        if (ch.isOpen()) {
            try {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException closedMeanwhile) {
                // the client closed it first: a plain close is all that is left to do
            }
            ch.close();
        }
    }

    private static boolean blocked(ChannelHandlerContext ctx) {
        return ctx.channel().attr(BLOCKED).get() != null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (blocked(ctx)) {
            ReferenceCountUtil.release(msg); // read by the transport to see the client's FIN; nobody sees it
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!blocked(ctx)) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!blocked(ctx)) {
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        if (!blocked(ctx)) {
            ctx.fireChannelUnregistered();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!blocked(ctx)) {
            ctx.fireChannelWritabilityChanged();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!blocked(ctx)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            // the client sent FIN (on a channel that allows half-closure): it gave up waiting
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!blocked(ctx)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        ctx.close(); // the client reset its side: nothing is left to hold
    }
}
