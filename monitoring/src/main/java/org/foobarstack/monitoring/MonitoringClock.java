package org.foobarstack.monitoring;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What time it is, and "run this every so often". Monitoring is all about time (a push every second, a host silent
 * for three, a rate over ten, an alert pending for thirty), so the client and the server ask this instead of the
 * system: {@link #system()} in a running stack, and in the tests a clock that moves only when told to, so that
 * "three missed pushes" takes no wall-clock time and gives the same answer on every run.
 */
public interface MonitoringClock {

    Instant now();

    /**
     * Runs {@code task} every {@code period}, the first time one period from now, until the returned handle is
     * closed. A run that throws is logged and the next one still happens.
     *
     * @param name names the thread that runs it, for thread dumps ("monitoring-push web-server-1")
     */
    Repeating every(Duration period, String name, Runnable task);

    /** A task running every period; {@link #close()} stops it. */
    interface Repeating extends AutoCloseable {
        /** Stops the task, waiting for a run in progress to end. Safe to call twice. */
        @Override
        void close();
    }

    /** The system clock, with one scheduler thread per repeating task. */
    static MonitoringClock system() {
        return SystemClock.INSTANCE;
    }

    /** The real clock. */
    final class SystemClock implements MonitoringClock {

        static final SystemClock INSTANCE = new SystemClock();
        private static final Logger log = LoggerFactory.getLogger(SystemClock.class);
        private static final long STOP_TIMEOUT_SECONDS = 10;

        private SystemClock() {
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public Repeating every(Duration period, String name, Runnable task) {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, name);
                thread.setDaemon(true);
                return thread;
            });
            long nanos = period.toNanos();
            // fixed rate: a push is due every second of the wall clock, not a second after the last one ended.
            // The try/catch matters: a scheduled task that throws is silently never run again.
            timer.scheduleAtFixedRate(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("{} failed; it runs again in {} ms", name, period.toMillis(), e);
                }
            }, nanos, nanos, TimeUnit.NANOSECONDS);
            return () -> {
                timer.shutdown();
                try {
                    if (!timer.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        timer.shutdownNow();
                    }
                } catch (InterruptedException e) {
                    timer.shutdownNow();
                    Thread.currentThread().interrupt();
                }
            };
        }
    }
}
