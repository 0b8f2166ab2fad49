package org.foobarstack.launcher.ops;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.foobarstack.admin.Operation;
import org.foobarstack.admin.StackControl.ControlException;
import org.foobarstack.app.guestbook.AppVersion;
import org.foobarstack.launcher.Stack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deploys and scalings of one stack: checked when asked for (a bad version or an impossible count is refused at
 * once, with the reason), then carried out one at a time on a thread of their own, each step recorded in its
 * {@link Operation} for {@code foobar-stack deploy} and the dashboard.
 */
public final class Operations implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    private final Stack stack;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "operations");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong ids = new AtomicLong();
    private final Deployer deployer;
    private final Scaler scaler;
    private Operation current;
    private Future<?> running;

    public Operations(Stack stack) {
        this.stack = stack;
        this.deployer = new Deployer(stack);
        this.scaler = new Scaler(stack);
    }

    /** Starts a deploy in the background; see {@link Strategy}. */
    public synchronized Operation deploy(String versionWord, String strategyWord) {
        AppVersion version;
        try {
            version = AppVersion.parse(versionWord);
        } catch (IllegalArgumentException e) {
            throw new ControlException(400, e.getMessage());
        }
        Strategy strategy = Strategy.parse(strategyWord);
        deployer.check(strategy);
        Operation op = begin("deploy", "deploy " + version.word() + " to " + stack.topologySpec().name() + ", "
                + strategy.word());
        submit(op, () -> deployer.deploy(version, strategy, op));
        return op;
    }

    /** Starts bringing the servers behind the balancer to {@code count} in the background. */
    public synchronized Operation scale(String role, int count) {
        int now = scaler.check(role, count);
        Operation op = begin("scale", "scale " + role + " from " + now + " to " + count + " in "
                + stack.topologySpec().name());
        submit(op, () -> scaler.scale(count, op));
        return op;
    }

    /** The running or last operation. */
    public synchronized Optional<Operation.Snapshot> current() {
        return Optional.ofNullable(current).map(Operation::snapshot);
    }

    /** Waits for the running operation to end; false if it did not within the timeout. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        Future<?> f;
        synchronized (this) {
            f = running;
        }
        if (f == null) {
            return true;
        }
        try {
            f.get(timeout, unit);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true; // recorded in the operation as FAILED
        }
    }

    private Operation begin(String kind, String description) {
        if (current != null && current.running()) {
            throw new ControlException(409, "another operation is running: " + current.snapshot().description()
                    + " (GET /api/operation shows how far it is)");
        }
        current = new Operation(ids.incrementAndGet(), kind, description);
        return current;
    }

    private void submit(Operation op, Runnable work) {
        running = worker.submit(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed: {}", op.snapshot().description(), e.getMessage(), e);
                op.step("", "failed: " + e.getMessage());
                op.failed(e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
