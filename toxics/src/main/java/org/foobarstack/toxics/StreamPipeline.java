package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One stream of one connection (client to server, or back) as a chain of stages: what the source channel reads
 * goes through each toxic's stage, in the order the toxics were added, and then to the {@link Sink}, which writes
 * it to the destination channel. Every call runs on the connection's event loop.
 *
 * <p>Flow control: the bytes inside the stages are counted; while more than {@value #MAX_HELD} are held, or the
 * destination cannot take more, the source is not read, so a slow toxic slows the sender as a slow link would
 * (TCP's window does the rest).
 */
final class StreamPipeline {

    static final int MAX_HELD = 256 * 1024;

    private final Direction direction;
    private final ProxyConnection connection;
    private final Channel source;
    private final Channel destination;
    private final List<Stage> stages = new ArrayList<>();
    private final Sink sink = new Sink();
    private long held;
    private boolean ended;

    StreamPipeline(Direction direction, ProxyConnection connection, Channel source, Channel destination) {
        this.direction = direction;
        this.connection = connection;
        this.source = source;
        this.destination = destination;
    }

    Direction direction() {
        return direction;
    }

    ProxyConnection connection() {
        return connection;
    }

    EventLoop eventLoop() {
        return source.eventLoop();
    }

    Channel destination() {
        return destination;
    }

    private Stage first() {
        return stages.isEmpty() ? sink : stages.get(0);
    }

    /** Appends a toxic's stage at the end of the chain, as Toxiproxy does, and starts it. */
    void add(Toxic toxic, Random random) {
        Stage stage = Stages.of(toxic, this, random);
        stage.next = sink;
        if (!stages.isEmpty()) {
            stages.get(stages.size() - 1).next = stage;
        }
        stages.add(stage);
        stage.begin();
    }

    /** Removes a toxic's stage: what it holds goes on first, so nothing is lost or reordered. */
    void remove(String name) {
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            if (stage.name().equals(name)) {
                stage.flush();
                if (i > 0) {
                    stages.get(i - 1).next = stage.next;
                }
                stages.remove(i);
                return;
            }
        }
    }

    /** The source read a chunk. */
    void in(ByteBuf chunk) {
        if (ended) {
            chunk.release();
            return;
        }
        held += chunk.readableBytes();
        first().data(chunk);
        updateFlow();
    }

    /** The source's stream ended (it closed, or shut its output). Once only. */
    void inEnd() {
        if (!ended) {
            ended = true;
            first().end();
        }
    }

    /** Bytes left the stages: written to the destination, or dropped by a toxic. */
    void leftThePipeline(int bytes) {
        held -= bytes;
        updateFlow();
    }

    /** Reads from the source only while the stages and the destination have room. */
    void updateFlow() {
        if (!source.isActive()) {
            return;
        }
        boolean read = held <= MAX_HELD && destination.isWritable();
        if (source.config().isAutoRead() != read) {
            source.config().setAutoRead(read);
        }
    }

    /** The connection is gone. */
    void discard() {
        for (Stage stage : stages) {
            stage.discard();
        }
        stages.clear();
    }

    /** The last step: writes to the destination, and closes it when the stream ends. */
    private final class Sink extends Stage {
        private boolean closed;

        Sink() {
            super("sink", StreamPipeline.this);
        }

        @Override
        void data(ByteBuf chunk) {
            if (closed || !destination.isActive()) {
                drop(chunk);
                return;
            }
            int size = chunk.readableBytes();
            destination.writeAndFlush(chunk, destination.voidPromise());
            leftThePipeline(size);
        }

        @Override
        void end() {
            if (!closed) {
                closed = true;
                // after what is already written: the reader sees all of it, then the end
                destination.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        void flush() {
        }

        @Override
        void discard() {
        }
    }
}
