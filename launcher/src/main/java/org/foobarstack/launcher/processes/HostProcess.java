package org.foobarstack.launcher.processes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One host of a design running as a JVM of its own: {@code foobar-stack host NAME --topology ...}.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@link #start()} launches the JVM; every line it prints goes to the log sink, prefixed {@code [NAME]};
 *   <li>{@link #awaitUp} returns once the host printed "NAME up" (every tier accepts connections), and fails at
 *       once if the process exits first, with its exit code and last lines;
 *   <li>{@link #kill()} is SIGKILL, the host's power cable pulled: no tier closes anything, the kernel resets
 *       its connections; {@link #stop()} is SIGTERM, after which the host stops its tiers top down and exits 0;
 *   <li>{@link #start()} again runs a new JVM for the same host, on the same addresses and data.
 * </ol>
 * An exit nobody asked for (a crash, an out-of-memory kill) is logged with its exit code and the state says so;
 * the host is started again only when asked ({@code ctl start NAME}), as a machine that crashed is.
 */
public final class HostProcess {

    /** Where a host's process is in its life. */
    public enum State { STOPPED, STARTING, RUNNING, KILLED, EXITED }

    private static final int LAST_LINES = 20;

    private final String name;
    private final List<String> command;
    private final Consumer<String> log;
    private volatile Process process;
    private volatile CompletableFuture<Void> up = new CompletableFuture<>();
    private volatile State state = State.STOPPED;
    private volatile boolean killedOnPurpose;
    /** {@link #stop} was asked: the exit that follows (0, or 143 if SIGTERM came first) is expected. */
    private volatile boolean stopRequested;
    private volatile long changedAtMillis = System.currentTimeMillis();
    private final Deque<String> lastLines = new ArrayDeque<>();

    /**
     * @param name    the host's name in the topology
     * @param command the whole command line: java, its options, the main class and {@code host NAME ...}
     * @param log     where the process's lines go, already prefixed with the host's name
     */
    public HostProcess(String name, List<String> command, Consumer<String> log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
    }

    public String name() {
        return name;
    }

    public List<String> command() {
        return command;
    }

    public State state() {
        return state;
    }

    public long changedAtMillis() {
        return changedAtMillis;
    }

    /** The operating system's id of the running JVM; -1 when none runs. */
    public long pid() {
        Process now = process;
        return now != null && now.isAlive() ? now.pid() : -1;
    }

    /** Launches the host's JVM; {@link #awaitUp} says when its tiers accept connections. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        synchronized (lastLines) {
            lastLines.clear();
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        up = ready;
        killedOnPurpose = false;
        stopRequested = false;
        Process started;
        try {
            started = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not launch " + name + ": " + e.getMessage(), e);
        }
        process = started;
        setState(State.STARTING);
        Thread pump = new Thread(() -> pump(started, ready), name + "-output");
        pump.setDaemon(true);
        pump.start();
        started.onExit().thenAccept(exited -> exited(exited, ready));
    }

    /** Copies the JVM's lines to the log, and notices the line that says the host is up. */
    private void pump(Process from, CompletableFuture<Void> ready) {
        String upLine = name + " up";
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(from.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                log.accept("[" + name + "] " + line);
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > LAST_LINES) {
                        lastLines.removeFirst();
                    }
                }
                if (line.equals(upLine) && ready.complete(null)) {
                    setState(State.RUNNING);
                }
            }
        } catch (IOException closed) {
            // the process went away; onExit says how
        }
    }

    private void exited(Process exited, CompletableFuture<Void> ready) {
        int code = exited.exitValue();
        if (process != exited) {
            return; // an older run of this host
        }
        if (killedOnPurpose) {
            setState(State.KILLED);
        } else if (stopRequested) {
            setState(State.STOPPED);
        } else if (state == State.RUNNING || state == State.STARTING) {
            setState(code == 0 ? State.STOPPED : State.EXITED);
            if (code != 0) {
                log.accept("[" + name + "] exited with code " + code + describe(code));
            }
        }
        ready.completeExceptionally(new IllegalStateException(name + " exited with code " + code + describe(code)
                + " before it was up; its last lines:\n  " + String.join("\n  ", lastLines())));
    }

    /** Exit codes above 128 are "killed by signal (code - 128)", as a shell reports them. */
    private static String describe(int code) {
        return switch (code) {
            case 137 -> " (SIGKILL)";
            case 143 -> " (SIGTERM)";
            case 1 -> " (a tier did not start)";
            case 2 -> " (usage error or a port in use)";
            default -> "";
        };
    }

    public List<String> lastLines() {
        synchronized (lastLines) {
            return new ArrayList<>(lastLines);
        }
    }

    /**
     * Waits until the host said it is up.
     *
     * @throws IllegalStateException if it exited first, or did not come up within {@code timeout}
     */
    public void awaitUp(Duration timeout) {
        try {
            up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(name + " was not up within " + timeout.toSeconds() + " s; its last "
                    + "lines:\n  " + String.join("\n  ", lastLines()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name);
        }
    }

    /** SIGKILL: the host is gone at once, as if its power failed. Returns once the process has exited. */
    public void kill() {
        Process now = process;
        if (now == null || !now.isAlive()) {
            throw new IllegalStateException(name + " is not running (" + state.name().toLowerCase(Locale.ROOT) + ")");
        }
        killedOnPurpose = true;
        now.destroyForcibly();
        now.onExit().join();
        setState(State.KILLED);
    }

    /** SIGTERM, and the host stops its tiers gracefully; SIGKILL if it has not exited after {@code grace}. */
    public void stop(Duration grace) {
        Process now = process;
        if (now == null || !now.isAlive()) {
            return;
        }
        killedOnPurpose = false;
        stopRequested = true;
        now.destroy();
        try {
            if (!now.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.accept("[" + name + "] did not stop within " + grace.toSeconds() + " s: killed");
                now.destroyForcibly();
                now.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            now.destroyForcibly();
        }
        setState(State.STOPPED);
    }

    private void setState(State next) {
        state = next;
        changedAtMillis = System.currentTimeMillis();
    }
}
