package org.foobarstack.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import org.foobarstack.httpcodec.request.RequestHead;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One run of the load generator: the schedule, the queue of requests waiting for a connection, and the
 * connections. Everything here happens on a single event loop thread, the one that also does the connections'
 * I/O, so no field needs a lock: a request's life is a sequence of events on that one thread.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@link #start()} warms up (one exchange rehearsed in memory, one connection opened), then notes the start
 *       time t0 on the event loop and pumps for the first time.</li>
 *   <li>Each {@link #pump()} moves the run forward. Requests whose intended start, t0 + i / rate, has come join
 *       the queue. Requests at the head of the queue whose deadline (intended start + timeout) has passed fail as
 *       timeouts without being sent. Free connections then take requests from the head of the queue. Finally
 *       the pump sets a timer for the next thing that will happen: the next intended start, or the deadline of
 *       the request at the head of the queue.</li>
 *   <li>A connection that finishes a request, one way or the other, reports it ({@link #answered},
 *       {@link #failed}) and pumps, since it is free again.</li>
 *   <li>Once every request of the run is scheduled and accounted for (at the latest a timeout after the last
 *       intended start) the run closes its connections, builds the report and stops its thread;
 *       {@link #done()} completes with the report.</li>
 *   <li>{@link #cancel()} ends the run at once: requests whose outcome is not known yet are left out of the
 *       report.</li>
 * </ol>
 *
 * <p>The queue holds nothing but two numbers. Requests are numbered in the order of their intended starts, and
 * leave the queue in that same order, so the requests waiting are exactly those numbered from
 * {@code nextToSend} up to {@code scheduled - 1}. However long the server stalls, the queue takes no memory.
 */
final class LoadRun {

    /** Methods whose requests carry a body, so that an empty one is sent as "Content-Length: 0" (RFC 9110 §8.6). */
    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

    private final LoadConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final RequestHead requestHead;
    private final byte[] body;
    /** The counted response header's name lower-cased, as the parser gives field names, or null. */
    private final String countedField;
    private final Tally tally;
    private final CompletableFuture<LoadReport> done = new CompletableFuture<>();
    private final long durationNanos;
    private final long timeoutNanos;
    private final Connection[] connections;
    /** Connections open and idle, in the order they became idle, so that requests go round all of them. */
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    /** Connections not open: one is opened only when no idle one is left. */
    private final ArrayDeque<Connection> closed = new ArrayDeque<>();

    /** t0, System.nanoTime() when the run started; written once on the event loop, read by progress(). */
    private volatile long startNanos;
    private volatile long endNanos;
    private volatile boolean started;

    /** The number of requests in the run: rate × duration, or fewer once cancelled. */
    private long total;
    /** Requests 0 .. scheduled - 1 have had their intended start. */
    private long scheduled;
    /** The head of the queue: requests nextToSend .. scheduled - 1 wait for a connection. */
    private long nextToSend;
    /** Requests answered or failed. */
    private long resolved;
    private ScheduledFuture<?> wakeUp;
    private long wakeUpAt;
    private ScheduledFuture<?> hardStop;
    private boolean pumping;
    private boolean pumpAgain;
    private boolean finished;
    private boolean cancelled;

    LoadRun(LoadConfig config, EventLoopGroup group, Class<? extends SocketChannel> channelClass) {
        this.config = config;
        this.group = group;
        this.loop = group.next();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                // a request is one small write, sent at once rather than held back to be merged with the next
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.timeout().toMillis()));
        this.requestHead = requestHead(config);
        this.body = config.body();
        this.durationNanos = config.duration().toNanos();
        this.timeoutNanos = config.timeout().toNanos();
        this.total = config.requestCount();
        this.countedField = config.countedHeader() == null ? null
                : config.countedHeader().toLowerCase(Locale.ROOT);
        this.tally = new Tally(durationNanos, timeoutNanos, countedField != null);
        this.connections = new Connection[config.connections()];
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new Connection(this, i);
            closed.add(connections[i]);
        }
    }

    /**
     * The request every connection sends: Host, User-Agent and Accept, the body's length and type, then the
     * configured extra fields; an extra field named like one of the first three replaces it.
     */
    static RequestHead requestHead(LoadConfig config) {
        RequestHead.Builder head = RequestHead.builder(config.method(), config.path());
        addDefault(head, config, "Host", config.hostHeader());
        addDefault(head, config, "User-Agent", "foobar-stack-load");
        addDefault(head, config, "Accept", "*/*");
        int bodyLength = config.body().length;
        if (bodyLength > 0 || BODY_METHODS.contains(config.method())) {
            head.add("Content-Length", Integer.toString(bodyLength));
        }
        if (bodyLength > 0 && config.contentType() != null) {
            head.add("Content-Type", config.contentType());
        }
        for (LoadConfig.Header header : config.extraHeaders()) {
            head.add(header.name(), header.value());
        }
        return head.build();
    }

    private static void addDefault(RequestHead.Builder head, LoadConfig config, String name, String value) {
        boolean replaced = config.extraHeaders().stream().anyMatch(h -> h.name().equalsIgnoreCase(name));
        if (!replaced) {
            head.add(name, value);
        }
    }

    // ---------------------------------------------------------------- seen from other threads

    void start() {
        loop.execute(() -> {
            // Before the clock starts, the generator warms itself up: its own start-up (loading the classes of
            // the codec and of a connection, the first connect of this JVM) takes tens of milliseconds, and charged
            // to the first requests it would show up as the server's latency. So one exchange is rehearsed in
            // memory, and one connection opened. If the server is down, the run starts all the same and the first
            // requests fail as they should.
            Connection.rehearse(requestHead);
            Connection first = closed.pollFirst();
            first.openAhead(() -> {
                (first.isOpen() ? idle : closed).addFirst(first);
                startClock();
            });
        });
    }

    private void startClock() {
        if (finished) {
            return; // cancelled while the first connection was being opened
        }
        startNanos = System.nanoTime();
        started = true;
        // A backstop: every request has a deadline of its own, so by then the run has long finished.
        hardStop = loop.schedule(this::forceFinish, durationNanos + timeoutNanos + TimeUnit.SECONDS.toNanos(1),
                TimeUnit.NANOSECONDS);
        pump();
    }

    /** Ends the run now; safe from any thread, and does nothing once the run has finished. */
    void cancel() {
        try {
            loop.execute(this::cancelOnLoop);
        } catch (RejectedExecutionException alreadyStopped) {
            // the run finished and its thread stopped: nothing left to cancel
        }
    }

    CompletableFuture<LoadReport> done() {
        return done;
    }

    long elapsedNanos() {
        if (!started) {
            return 0;
        }
        long end = endNanos;
        return (end != 0 ? end : System.nanoTime()) - startNanos;
    }

    Progress progress() {
        return tally.progress(elapsedNanos());
    }

    // ---------------------------------------------------------------- the event loop thread

    EventLoop loop() {
        return loop;
    }

    Bootstrap bootstrap() {
        return bootstrap;
    }

    LoadConfig config() {
        return config;
    }

    RequestHead requestHead() {
        return requestHead;
    }

    byte[] body() {
        return body;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** The lower-cased name of the response header whose values are counted, or null when none is. */
    String countedField() {
        return countedField;
    }

    /** Request i's intended start as an offset from t0: i / rate seconds. */
    private long offsetNanos(long request) {
        return request * 1_000_000_000L / config.rate();
    }

    long intendedNanos(long request) {
        return startNanos + offsetNanos(request);
    }

    /** The moment request i fails if it is not answered: its intended start plus the timeout. */
    long deadlineNanos(long request) {
        return intendedNanos(request) + timeoutNanos;
    }

    /**
     * Moves the run forward: schedules what is due, expires what waited too long, hands requests to free
     * connections. Called by the timer and whenever a connection becomes free. A connection may finish a request
     * while the pump hands it one (a connect that fails at once), which calls the pump again from inside itself;
     * that inner call only asks the running pump to go round once more.
     */
    private void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                pumpOnce();
            } while (pumpAgain && !finished);
        } catch (RuntimeException e) {
            abort(e);
        } finally {
            pumping = false;
        }
    }

    private void pumpOnce() {
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        // 1. every request whose intended start has come joins the queue
        while (scheduled < total && intendedNanos(scheduled) <= now) {
            tally.scheduled(offsetNanos(scheduled));
            scheduled++;
        }
        // 2. a request that waited for a connection until its deadline fails without being sent
        while (nextToSend < scheduled && deadlineNanos(nextToSend) <= now) {
            recordFailure(nextToSend, FailureKind.TIMEOUT,
                    "no connection was free within " + config.timeout().toMillis() + " ms", null);
            nextToSend++;
        }
        // 3. free connections take requests from the head of the queue; an open one first, to reuse it
        while (nextToSend < scheduled) {
            Connection connection = idle.isEmpty() ? closed.pollFirst() : idle.pollFirst();
            if (connection == null) {
                break;
            }
            connection.send(nextToSend++);
        }
        // 4. the end: everything scheduled, and everything scheduled answered or failed
        if (scheduled == total && resolved == total) {
            finish();
            return;
        }
        // 5. wake up for whatever comes first: the next intended start, or the queue's head reaching its deadline
        long next = Long.MAX_VALUE;
        if (scheduled < total) {
            next = intendedNanos(scheduled);
        }
        if (nextToSend < scheduled) {
            next = Math.min(next, deadlineNanos(nextToSend));
        }
        if (next != Long.MAX_VALUE) {
            wakeUpAt(next, now);
        }
    }

    private void wakeUpAt(long at, long now) {
        if (wakeUp != null && !wakeUp.isDone() && wakeUpAt <= at) {
            return;
        }
        if (wakeUp != null) {
            wakeUp.cancel(false);
        }
        wakeUpAt = at;
        wakeUp = loop.schedule(() -> {
            wakeUp = null;
            pump();
        }, Math.max(0, at - now), TimeUnit.NANOSECONDS);
    }

    /**
     * A connection got the complete response to {@code request}, with {@code headerValue} the value of the counted
     * header (null when it had none, or none is counted); the connection is free again.
     */
    void answered(Connection connection, long request, int status, String headerValue) {
        long now = System.nanoTime();
        tally.answered(offsetNanos(request), status, now - intendedNanos(request), now - startNanos, headerValue);
        resolved++;
        release(connection);
    }

    /** A connection gave up on {@code request}; it is free again (and closed). */
    void failed(Connection connection, long request, FailureKind kind, String detail, String violation) {
        recordFailure(request, kind, detail, violation);
        release(connection);
    }

    private void recordFailure(long request, FailureKind kind, String detail, String violation) {
        tally.failed(offsetNanos(request), kind, detail, violation);
        resolved++;
    }

    private void release(Connection connection) {
        if (finished) {
            return;
        }
        (connection.isOpen() ? idle : closed).addLast(connection);
        pump();
    }

    private void cancelOnLoop() {
        if (finished) {
            return;
        }
        cancelled = true;
        // outcomes not known yet: the requests in the queue and those on the wire are taken out of the counts
        for (long request = nextToSend; request < scheduled; request++) {
            tally.forgotten(offsetNanos(request));
        }
        nextToSend = scheduled;
        for (Connection connection : connections) {
            long request = connection.abandon();
            if (request >= 0) {
                tally.forgotten(offsetNanos(request));
            }
        }
        total = scheduled;
        finish();
    }

    /** The backstop: anything still outstanding has outlived its deadline and is a timeout. */
    private void forceFinish() {
        if (finished) {
            return;
        }
        for (Connection connection : connections) {
            long request = connection.abandon();
            if (request >= 0) {
                recordFailure(request, FailureKind.TIMEOUT, "still outstanding when the run ended", null);
            }
        }
        while (nextToSend < scheduled) {
            recordFailure(nextToSend++, FailureKind.TIMEOUT, "still waiting when the run ended", null);
        }
        total = scheduled;
        finish();
    }

    private void finish() {
        finished = true;
        long now = System.nanoTime();
        endNanos = now;
        if (wakeUp != null) {
            wakeUp.cancel(false);
        }
        if (hardStop != null) {
            hardStop.cancel(false);
        }
        for (Connection connection : connections) {
            connection.abandon();
        }
        long runNanos = !started ? 0 : cancelled ? Math.min(durationNanos, now - startNanos) : durationNanos;
        LoadReport report;
        try {
            report = tally.report(LoadReport.Settings.of(config), runNanos, cancelled);
        } catch (RuntimeException e) {
            stopThreadThen(() -> done.completeExceptionally(e));
            return;
        }
        stopThreadThen(() -> done.complete(report));
    }

    private void abort(RuntimeException e) {
        finished = true;
        endNanos = System.nanoTime();
        for (Connection connection : connections) {
            connection.abandon();
        }
        stopThreadThen(() -> done.completeExceptionally(e));
    }

    /** The report is handed over only once the thread has stopped, so a finished run leaves nothing running. */
    private void stopThreadThen(Runnable then) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(stopped -> then.run());
    }
}
