package org.foobarstack.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.stream.ChunkedInput;
import io.netty.util.ReferenceCountUtil;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.trace.faults.Effect;
import org.foobarstack.trace.faults.Fault;
import org.foobarstack.trace.faults.FaultPlan;
import org.foobarstack.trace.faults.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The faults of one {@link HttpExchange}, made only when the server's {@link FaultPlan} had any when the request
 * started: an exchange without faults holds null here and never comes in.
 *
 * <p>Where each trigger is met, in the order a request lives:
 * <ol>
 *   <li>{@link Trigger#REQUEST_START}: the head is parsed, before the route's handler runs
 *       ({@link #requestStart}).</li>
 *   <li>{@link Trigger#REQUEST_BODY}: a part of the body arrives; the part that holds byte {@code afterBytes + 1}
 *       is the one that fires ({@link #bodyPartArrived}).</li>
 *   <li>{@link Trigger#RESPONSE_START}: the handler sends the status line and fields ({@link #responseStart}).</li>
 *   <li>{@link Trigger#RESPONSE_BODY}: body bytes go out; a piece that would cross {@code afterBytes} is cut
 *       there, so exactly that many body bytes leave before the effect ({@link #sendBody}). A file is read into
 *       memory first, when such a fault is planned, so that it can be cut too.</li>
 *   <li>{@link Trigger#RESPONSE_END}: the last write is out; the effect decides what becomes of the connection
 *       ({@link #responseEnd}).</li>
 * </ol>
 * How each {@link Effect} is carried out: CLOSE and RESET close the channel (RESET with SO_LINGER 0), after the
 * bytes already written; SHUTDOWN_INPUT and SHUTDOWN_OUTPUT half-close the socket and carry on (writes after a
 * SHUTDOWN_OUTPUT fail, as they would in any server); STALL drops every later write and keeps the connection from
 * serving another request; DELAY holds every later write (or body part) back, in order, and lets them go when the
 * delay is over.
 *
 * <p>Event loop only, like the exchange.
 */
final class ExchangeFaults {

    private static final Logger log = LoggerFactory.getLogger(ExchangeFaults.class);

    private final FaultPlan.Armed armed;
    private final ChannelHandlerContext ctx;
    /** Writes (and the steps that must follow them) held back by a DELAY, in order; null while none is held. */
    private ArrayDeque<Runnable> heldWrites;
    /** Body parts held back by a DELAY on the request body; null while none are held. */
    private ArrayDeque<HttpBodyPart> heldParts;
    /** A STALL fired: nothing more leaves, no part is delivered. */
    private boolean stalled;
    private long bodyReceived;

    ExchangeFaults(FaultPlan.Armed armed, ChannelHandlerContext ctx) {
        this.armed = armed;
        this.ctx = ctx;
    }

    boolean stalled() {
        return stalled;
    }

    // ------------------------------------------------------------------ 1. request start

    /** Runs {@code handler} unless a fault at the request's start says otherwise (or later, for a DELAY). */
    void requestStart(Runnable handler) {
        Fault fault = armed.fire(Trigger.REQUEST_START);
        if (fault == null) {
            handler.run();
            return;
        }
        logFired(fault);
        switch (fault.effect()) {
            case DELAY -> ctx.executor().schedule(() -> {
                if (ctx.channel().isActive()) {
                    handler.run();
                }
            }, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
            case STALL -> stalled = true;
            case CLOSE, RESET -> close(fault.effect(), null);
            case SHUTDOWN_INPUT, SHUTDOWN_OUTPUT -> {
                halfClose(fault.effect());
                handler.run();
            }
        }
    }

    // ------------------------------------------------------------------ 2. request body

    /**
     * A body part arrived. Returns true when this class took it (held back, or dropped); false when the exchange
     * delivers it as usual.
     *
     * @param deliver how a held part is delivered once a DELAY is over
     * @param afterHeld what runs once the held parts are delivered (the connection checks whether it is done)
     */
    boolean bodyPartArrived(HttpBodyPart part, Consumer<HttpBodyPart> deliver, Runnable afterHeld) {
        if (stalled) {
            part.release();
            return true;
        }
        if (heldParts != null) {
            heldParts.add(part);
            return true;
        }
        int n = part.content().readableBytes();
        long from = bodyReceived;
        bodyReceived += n;
        Fault fault = n == 0 ? null : armed.fire(Trigger.REQUEST_BODY, from, from + n);
        if (fault == null) {
            return false;
        }
        logFired(fault);
        switch (fault.effect()) {
            case DELAY -> {
                heldParts = new ArrayDeque<>();
                heldParts.add(part);
                ctx.executor().schedule(() -> {
                    ArrayDeque<HttpBodyPart> parts = heldParts;
                    heldParts = null;
                    while (!parts.isEmpty()) {
                        HttpBodyPart next = parts.poll();
                        if (ctx.channel().isActive() && !stalled) {
                            deliver.accept(next);
                        } else {
                            next.release();
                        }
                    }
                    afterHeld.run();
                }, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
                return true;
            }
            case STALL -> {
                stalled = true;
                part.release();
                return true;
            }
            case CLOSE, RESET -> {
                part.release();
                close(fault.effect(), null);
                return true;
            }
            default -> {
                halfClose(fault.effect());
                return false;
            }
        }
    }

    /** Releases body parts still held (the client went away). */
    void releaseHeldParts() {
        if (heldParts != null) {
            while (!heldParts.isEmpty()) {
                heldParts.poll().release();
            }
        }
    }

    // ------------------------------------------------------------------ 3. response start

    /** The response head is about to be written. */
    void responseStart() {
        Fault fault = stalled ? null : armed.fire(Trigger.RESPONSE_START);
        if (fault != null) {
            logFired(fault);
            apply(fault, null);
        }
    }

    // ------------------------------------------------------------------ 4. response body

    /** Whether a response body fault may still fire: then files are read into memory so that they can be cut. */
    boolean watchesResponseBody() {
        return armed.watches(Trigger.RESPONSE_BODY);
    }

    /**
     * Writes {@code data} through {@code writer} (which frames and counts it), cut where a body fault fires.
     *
     * @param sent the body bytes sent before this piece
     */
    ChannelFuture sendBody(ByteBuf data, long sent, Function<ByteBuf, ChannelFuture> writer) {
        if (stalled) {
            return write(data, true); // dropped: nothing fires on a stalled exchange
        }
        int n = data.readableBytes();
        long room = armed.room(Trigger.RESPONSE_BODY, sent);
        if (room >= n) {
            return writer.apply(data);
        }
        Fault fault = armed.fire(Trigger.RESPONSE_BODY, sent + room, sent + n);
        if (fault == null) {
            // a one-shot fault another request used first
            return writer.apply(data);
        }
        logFired(fault);
        // what goes before the cut leaves first, the head included (it may still wait for a flush): the
        // effect waits for this write
        ChannelFuture before = room > 0 ? writer.apply(data.readRetainedSlice((int) room))
                : write(Unpooled.EMPTY_BUFFER, true);
        if (fault.effect().endsTheExchange()) {
            data.release();
            apply(fault, before);
            return before;
        }
        apply(fault, before);
        return writer.apply(data);
    }

    /** The bytes of a file region, read into memory so that {@link #sendBody} can cut them. */
    ByteBuf readRegion(FileRegion region) throws IOException {
        long count = region.count();
        if (count > Integer.MAX_VALUE) {
            region.release();
            throw new IOException("a body of " + count + " bytes is too large to cut in memory");
        }
        ByteBuf bytes = ctx.alloc().heapBuffer((int) count);
        try (ByteBufOutputStream out = new ByteBufOutputStream(bytes)) {
            WritableByteChannel sink = Channels.newChannel(out);
            while (region.transferred() < count) {
                if (region.transferTo(sink, region.transferred()) <= 0) {
                    throw new IOException("the file ended early");
                }
            }
        } catch (IOException | RuntimeException e) {
            bytes.release();
            throw e;
        } finally {
            region.release();
        }
        return bytes;
    }

    // ------------------------------------------------------------------ 5. response end

    /**
     * The whole response is written ({@code done}). Runs {@code handBack} (the connection moves on to the next
     * request) as the fault allows: at once, after a DELAY, never after a STALL; {@code closeAfter} marks the
     * connection to close once the response is out, for the effects that end it.
     */
    void responseEnd(ChannelFuture done, Runnable closeAfter, Runnable handBack) {
        Fault fault = stalled ? null : armed.fire(Trigger.RESPONSE_END);
        if (fault != null) {
            logFired(fault);
            switch (fault.effect()) {
                case DELAY -> {
                    afterHeldWrites(() -> ctx.executor().schedule(handBack, fault.delay().toNanos(),
                            TimeUnit.NANOSECONDS));
                    return;
                }
                case STALL -> stalled = true;
                case CLOSE, SHUTDOWN_INPUT -> {
                    closeAfter.run();
                    if (fault.effect() == Effect.SHUTDOWN_INPUT) {
                        halfClose(Effect.SHUTDOWN_INPUT);
                    }
                }
                case RESET, SHUTDOWN_OUTPUT -> {
                    closeAfter.run();
                    done.addListener(f -> apply(fault, null));
                }
            }
        }
        if (stalled) {
            return; // the connection never moves on: no next request is served
        }
        afterHeldWrites(handBack);
    }

    // ------------------------------------------------------------------ the output path

    /** Every write of the exchange comes here: held back during a DELAY, dropped after a STALL. */
    ChannelFuture write(Object msg, boolean flush) {
        if (stalled) {
            ReferenceCountUtil.release(msg);
            if (msg instanceof ChunkedInput<?> file) {
                try {
                    file.close();
                } catch (Exception ignored) {
                    // a file we were not going to send anyway
                }
            }
            return ctx.newPromise(); // never completes: the response is stuck
        }
        if (heldWrites != null) {
            ChannelPromise promise = ctx.newPromise();
            heldWrites.add(() -> {
                if (flush) {
                    ctx.writeAndFlush(msg, promise);
                } else {
                    ctx.write(msg, promise);
                }
            });
            return promise;
        }
        return flush ? ctx.writeAndFlush(msg) : ctx.write(msg);
    }

    /** Runs {@code step} after the writes held back so far, or at once when none are. */
    private void afterHeldWrites(Runnable step) {
        if (heldWrites != null) {
            heldWrites.add(step);
        } else {
            step.run();
        }
    }

    /** Carries out an effect; the ones that close wait for {@code before} (the bytes let through) to be written. */
    private void apply(Fault fault, ChannelFuture before) {
        switch (fault.effect()) {
            case DELAY -> {
                if (heldWrites == null) {
                    heldWrites = new ArrayDeque<>();
                    ctx.executor().schedule(this::releaseHeldWrites, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
                }
            }
            case STALL -> {
                if (before != null) {
                    ctx.flush();
                }
                stalled = true;
            }
            case CLOSE, RESET -> close(fault.effect(), before);
            case SHUTDOWN_INPUT, SHUTDOWN_OUTPUT -> {
                if (before != null && fault.effect() == Effect.SHUTDOWN_OUTPUT) {
                    before.addListener(f -> halfClose(Effect.SHUTDOWN_OUTPUT));
                } else {
                    halfClose(fault.effect());
                }
            }
        }
    }

    private void releaseHeldWrites() {
        ArrayDeque<Runnable> held = heldWrites;
        heldWrites = null;
        while (!held.isEmpty()) {
            if (heldWrites != null) {
                // a step let go of held writes started another DELAY: the rest waits for that one
                heldWrites.addAll(held);
                return;
            }
            held.poll().run();
        }
        ctx.flush();
    }

    private void close(Effect effect, ChannelFuture before) {
        Runnable close = () -> {
            if (effect == Effect.RESET && ctx.channel().isActive()) {
                try {
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                } catch (RuntimeException closedMeanwhile) {
                    // nothing left to reset
                }
            }
            ctx.close();
        };
        if (before != null) {
            ctx.flush();
            before.addListener(f -> close.run());
        } else {
            close.run();
        }
    }

    private void halfClose(Effect effect) {
        if (!(ctx.channel() instanceof DuplexChannel duplex) || !ctx.channel().isActive()) {
            return;
        }
        if (effect == Effect.SHUTDOWN_INPUT) {
            duplex.shutdownInput();
        } else {
            duplex.shutdownOutput();
        }
    }

    private void logFired(Fault fault) {
        log.info("{}: fault {}", ctx.channel().remoteAddress(), fault.describe());
    }
}
