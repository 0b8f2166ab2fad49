package org.foobarstack.app.fastcgi;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.trace.faults.Effect;
import org.foobarstack.trace.faults.Fault;
import org.foobarstack.trace.faults.FaultPlan;
import org.foobarstack.trace.faults.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The faults of one FastCGI request, made at BEGIN_REQUEST only when the server's {@link FaultPlan} had any: a
 * request without faults holds null and never comes here.
 *
 * <p>Where each trigger is met, in the order a request lives (FastCGI §5 and §6.2):
 * <ol>
 *   <li>{@link Trigger#REQUEST_START}: BEGIN_REQUEST has come and PARAMS has ended ({@link #requestStart}).</li>
 *   <li>{@link Trigger#REQUEST_BODY}: a STDIN record arrives; the record that holds byte {@code afterBytes + 1}
 *       of the stream fires ({@link #stdinArrived}).</li>
 *   <li>{@link Trigger#RESPONSE_START}: the first record of the answer is about to go out.</li>
 *   <li>{@link Trigger#RESPONSE_BODY}: the STDOUT stream, CGI header block included, goes out; the STDOUT record
 *       that would cross {@code afterBytes} is split there, so that exactly that many bytes leave, in well-formed
 *       records, before the effect.</li>
 *   <li>{@link Trigger#RESPONSE_END}: END_REQUEST has been written.</li>
 * </ol>
 * Steps 3 to 5 are {@link #answer}. Before the answer, a DELAY holds the request back: the application runs that
 * much later. A STALL there means the application never runs and no answer ever comes; the connection stays
 * open. CLOSE and RESET close the whole connection, and with it every request multiplexed on it.
 *
 * <p>Event loop only, like the handler.
 */
final class RequestFaults {

    private static final Logger log = LoggerFactory.getLogger(RequestFaults.class);

    private final FaultPlan.Armed armed;
    private long stdinReceived;
    private long runDelayNanos;
    private boolean stalled;

    RequestFaults(FaultPlan.Armed armed) {
        this.armed = armed;
    }

    /** A STALL fired before the answer: the request never runs, never answers. */
    boolean stalled() {
        return stalled;
    }

    /** How long a DELAY before the answer holds the application back, in nanoseconds (0: none). */
    long runDelayNanos() {
        return runDelayNanos;
    }

    // ------------------------------------------------------------------ 1 and 2: the request

    /** PARAMS has ended. Returns false when the request goes no further on this connection. */
    boolean requestStart(ChannelHandlerContext ctx) {
        return beforeAnswer(ctx, armed.fire(Trigger.REQUEST_START));
    }

    /** A STDIN record with {@code bytes} bytes arrived. Returns false when the request goes no further. */
    boolean stdinArrived(ChannelHandlerContext ctx, int bytes) {
        long from = stdinReceived;
        stdinReceived += bytes;
        return bytes == 0 || beforeAnswer(ctx, armed.fire(Trigger.REQUEST_BODY, from, from + bytes));
    }

    private boolean beforeAnswer(ChannelHandlerContext ctx, Fault fault) {
        if (fault == null) {
            return true;
        }
        logFired(ctx, fault);
        switch (fault.effect()) {
            case DELAY -> runDelayNanos += fault.delay().toNanos();
            case STALL -> stalled = true;
            case CLOSE, RESET -> close(ctx, fault.effect());
            case SHUTDOWN_INPUT, SHUTDOWN_OUTPUT -> halfClose(ctx, fault.effect());
        }
        return !fault.effect().endsTheExchange();
    }

    // ------------------------------------------------------------------ 3 to 5: the answer

    /**
     * Writes the answer's records and END_REQUEST as the faults allow.
     *
     * @param whenWritten gets END_REQUEST's write, once it is handed to the channel (the handler then counts the
     *                    request ended and closes a connection without FCGI_KEEP_CONN)
     * @param whenDropped runs instead when the answer will never be finished (closed, reset, stalled)
     */
    void answer(ChannelHandlerContext ctx, List<FastCgiRecord> records, FastCgiRecord endRequest,
                Consumer<ChannelFuture> whenWritten, Runnable whenDropped) {
        ArrayDeque<FastCgiRecord> pending = new ArrayDeque<>(records);
        pending.add(endRequest);
        new Answer(ctx, pending, whenWritten, whenDropped).start();
    }

    /** One answer on its way: a queue of records that a DELAY can pause and a scheduled task resume. */
    private final class Answer {

        private final ChannelHandlerContext ctx;
        private final ArrayDeque<FastCgiRecord> pending;
        private final Consumer<ChannelFuture> whenWritten;
        private final Runnable whenDropped;
        private long stdoutSent;
        /** The STDOUT record at the head of the queue is what is left of a cut one: it goes out whole. */
        private boolean restOfCut;

        Answer(ChannelHandlerContext ctx, ArrayDeque<FastCgiRecord> pending, Consumer<ChannelFuture> whenWritten,
               Runnable whenDropped) {
            this.ctx = ctx;
            this.pending = pending;
            this.whenWritten = whenWritten;
            this.whenDropped = whenDropped;
        }

        void start() {
            Fault fault = armed.fire(Trigger.RESPONSE_START);
            if (fault == null || carryOn(fault, null)) {
                resume();
            }
        }

        /** Writes records until the queue is empty or a fault stops or pauses the answer. */
        private void resume() {
            while (!pending.isEmpty()) {
                FastCgiRecord record = pending.peek();
                if (record.is(RecordType.END_REQUEST)) {
                    pending.poll();
                    ended(ctx.writeAndFlush(record));
                    return;
                }
                int n = record.content().readableBytes();
                if (record.is(RecordType.STDOUT) && n > 0 && !restOfCut) {
                    long room = armed.room(Trigger.RESPONSE_BODY, stdoutSent);
                    if (room < n) {
                        // what goes before the cut leaves first (earlier records may still wait for a flush)
                        ChannelFuture before = room == 0 ? ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
                                : ctx.writeAndFlush(new FastCgiRecord(RecordType.STDOUT, record.requestId(),
                                        record.content().readRetainedSlice((int) room)));
                        stdoutSent += room;
                        Fault fault = armed.fire(Trigger.RESPONSE_BODY, stdoutSent, stdoutSent + n - room);
                        restOfCut = true;
                        if (fault != null && !carryOn(fault, before)) {
                            return;
                        }
                        continue;
                    }
                }
                if (record.is(RecordType.STDOUT)) {
                    stdoutSent += n;
                    restOfCut = false;
                }
                ctx.write(pending.poll());
            }
        }

        /** END_REQUEST is written: the last trigger, then the handler's own steps. */
        private void ended(ChannelFuture written) {
            Fault fault = armed.fire(Trigger.RESPONSE_END);
            if (fault == null) {
                whenWritten.accept(written);
                return;
            }
            logFired(ctx, fault);
            switch (fault.effect()) {
                case DELAY -> ctx.executor().schedule(() -> whenWritten.accept(written), fault.delay().toNanos(),
                        TimeUnit.NANOSECONDS);
                case STALL -> {
                    // the answer is out, and then nothing: no more reads on this connection, no close
                    ctx.channel().config().setAutoRead(false);
                    whenDropped.run();
                }
                default -> {
                    written.addListener(f -> {
                        if (fault.effect() == Effect.CLOSE || fault.effect() == Effect.RESET) {
                            close(ctx, fault.effect());
                        } else {
                            halfClose(ctx, fault.effect());
                        }
                    });
                    whenWritten.accept(written);
                }
            }
        }

        /**
         * Carries out a fault met while writing. Returns true when the writing goes on now; false when it
         * stopped for good (the rest dropped) or resumes after a DELAY.
         *
         * @param before the write of the bytes let through just before, or null
         */
        private boolean carryOn(Fault fault, ChannelFuture before) {
            logFired(ctx, fault);
            switch (fault.effect()) {
                case DELAY -> {
                    ctx.flush();
                    ctx.executor().schedule(() -> {
                        if (ctx.channel().isActive()) {
                            resume();
                        } else {
                            drop();
                        }
                    }, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
                    return false;
                }
                case STALL -> {
                    ctx.flush();
                    drop();
                    return false;
                }
                case CLOSE, RESET -> {
                    if (before == null) {
                        close(ctx, fault.effect());
                    } else {
                        before.addListener(f -> close(ctx, fault.effect()));
                    }
                    drop();
                    return false;
                }
                default -> {
                    if (before == null) {
                        halfClose(ctx, fault.effect());
                    } else {
                        before.addListener(f -> halfClose(ctx, fault.effect()));
                    }
                    return true;
                }
            }
        }

        /** The rest of the answer will never be sent. */
        private void drop() {
            while (!pending.isEmpty()) {
                pending.poll().release();
            }
            whenDropped.run();
        }
    }

    // ------------------------------------------------------------------ effects on the socket

    static void close(ChannelHandlerContext ctx, Effect effect) {
        if (effect == Effect.RESET && ctx.channel().isActive()) {
            try {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException closedMeanwhile) {
                // nothing left to reset
            }
        }
        ctx.close();
    }

    static void halfClose(ChannelHandlerContext ctx, Effect effect) {
        if (ctx.channel() instanceof DuplexChannel duplex && ctx.channel().isActive()) {
            if (effect == Effect.SHUTDOWN_INPUT) {
                duplex.shutdownInput();
            } else {
                duplex.shutdownOutput();
            }
        }
    }

    private static void logFired(ChannelHandlerContext ctx, Fault fault) {
        log.info("fastcgi {}: fault {}", ctx.channel().remoteAddress(), fault.describe());
    }
}
