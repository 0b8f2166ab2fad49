package org.foobarstack.loadgen;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A load that {@link LoadGenerator#start} set going. It stops by itself: requests are scheduled for the configured
 * duration, then the run waits at most the request timeout for the last answers and closes its connections.
 *
 * <pre>
 *   RunningLoad load = new LoadGenerator().start(config);
 *   ...                                  // e.g. stop a server, and watch load.progress()
 *   LoadReport report = load.await();    // blocks until the run is over
 * </pre>
 *
 * Every method may be called from any thread.
 */
public final class RunningLoad {

    private final LoadRun run;

    RunningLoad(LoadRun run) {
        this.run = run;
    }

    /** The counts so far; cheap enough to call every second, or more often. */
    public Progress progress() {
        return run.progress();
    }

    /** Milliseconds since the run started; stops growing when the run is over. */
    public long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(run.elapsedNanos());
    }

    public boolean isDone() {
        return run.done().isDone();
    }

    /** Waits for the end of the run and returns its report. */
    public LoadReport await() throws InterruptedException {
        try {
            return run.done().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the load run failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits at most {@code timeout} for the end of the run: the report, or empty when it is still running. */
    public Optional<LoadReport> await(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(run.done().get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException stillRunning) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the load run failed: " + e.getCause(), e.getCause());
        } catch (CancellationException e) {
            throw new IllegalStateException("the load run's result was cancelled", e);
        }
    }

    /**
     * Ends the run now, without waiting for the duration: no more requests are scheduled, the connections are
     * closed, and {@link #await()} returns a report marked cancelled. The requests still waiting or on the wire
     * at that moment are left out of it, since their outcome is unknown. Does nothing once the run is over.
     */
    public void cancel() {
        run.cancel();
    }
}
