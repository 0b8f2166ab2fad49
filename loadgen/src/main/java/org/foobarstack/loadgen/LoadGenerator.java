package org.foobarstack.loadgen;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * Sends HTTP/1.1 requests to a server at a constant rate, the way wrk2 does, and reports what came back.
 *
 * <h2>Open loop: requests arrive on a schedule, whatever the server does</h2>
 * Real users do not wait for each other. At 200 requests per second, request i is due at t0 + i / 200 s, whether
 * or not the server has answered the ones before it. This generator works the same way (an <em>open loop</em>):
 * each request has an intended start time fixed in advance, it is written on a free connection as soon as one is
 * free, and waits in a queue otherwise.
 *
 * <h2>Coordinated omission: why latency is measured from the intended start</h2>
 * A simpler generator (a <em>closed loop</em>: each connection sends, waits for the answer, sends again) stops
 * sending while the server stalls, so the stall hides in the few requests that were in flight:
 * <pre>
 *   0.000 s  request 1 sent; the server stalls for 1 s      closed loop: 1 request takes 1 s
 *   0.005 s  request 2 is due, but the connection is busy   (requests 2..200 are never sent during the stall:
 *   1.000 s  request 1 answered, request 2 sent at last      the stall is 1 slow request out of 201)
 * </pre>
 * Here, request 2 is due at 0.005 s whatever happens, and waits for a connection; answered at 1.001 s, its
 * latency is 0.996 s, because a user who arrived at 0.005 s waited that long. Each of the 200 requests due during
 * the stall counts its wait, and the percentiles show what users saw. A closed loop, by holding back while the
 * server is slow, lets the server choose when it is measured: Gil Tene named this <em>coordinated omission</em>.
 * wrk2 avoids it this way, and so does this generator.
 *
 * <p>The generator's own delays count too: a request written late because the generator's thread was busy is
 * charged to the latency, never forgiven.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@link #start(LoadConfig)} starts one event loop thread (epoll on Linux, NIO elsewhere, as the stack's
 *       servers pick) and returns at once with a {@link RunningLoad}.</li>
 *   <li>On that thread the generator warms itself up, so that its own start-up is not measured as the server's
 *       latency: one request and response are run through the codec in memory, and a first connection is
 *       opened (waiting at most the timeout). Then the clock starts: t0.</li>
 *   <li>Requests are scheduled, queued and written; connections are opened when none is free
 *       and idle, and replaced when they fail (see {@code LoadRun} and {@code Connection}).</li>
 *   <li>After the duration no more requests are scheduled; the run waits at most the timeout for outstanding
 *       ones, closes everything, stops its thread and hands over a {@link LoadReport}.</li>
 * </ol>
 * One thread is enough: it keeps up with 20,000 requests per second to the stack's web server on loopback.
 * Several generators may run at once, each with its own thread. Nothing here is static: a
 * generator holds no state between runs.
 */
public final class LoadGenerator {

    /** Starts a run of {@code config}; it runs on a thread of its own and stops by itself. */
    public RunningLoad start(LoadConfig config) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends SocketChannel> channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        // a daemon thread: a run left behind does not keep the JVM alive
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("loadgen", true), io);
        try {
            LoadRun run = new LoadRun(config, group, channelClass);
            run.start();
            return new RunningLoad(run);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }
}
