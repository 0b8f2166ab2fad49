package org.foobarstack.admin;

import java.util.ArrayList;
import java.util.List;

/**
 * A change to the running stack that takes a while (a deploy, scaling out or in), and what it has done so far, step
 * by step, as {@code foobar-stack deploy} prints it and the dashboard draws it.
 *
 * <p>Lifecycle: 1. the stack makes one when the change is asked for ({@code POST /api/deploy}, answered 202 at
 * once); 2. the worker that carries the change out adds a {@link Step} as each one begins and ends; 3. it ends
 * {@link State#DONE} or {@link State#FAILED} with a sentence. Readers ({@code GET /api/operation}) get a
 * {@link #snapshot()}; one operation runs at a time, and the last one stays readable after it ends.
 */
public final class Operation {

    public enum State { RUNNING, DONE, FAILED }

    /** One line of progress: when, on which host (or empty), and what happened. */
    public record Step(long atMillis, String host, String text) {
    }

    /** The operation as it stands: safe to hand out, it no longer changes. */
    public record Snapshot(long id, String kind, String description, State state, long startedAtMillis,
                           long endedAtMillis, String result, List<Step> steps) {
        public Snapshot {
            steps = List.copyOf(steps);
        }
    }

    private final long id;
    private final String kind;
    private final String description;
    private final long startedAtMillis = System.currentTimeMillis();
    private final List<Step> steps = new ArrayList<>();
    private State state = State.RUNNING;
    private long endedAtMillis;
    private String result = "";

    /**
     * @param kind        "deploy" or "scale"
     * @param description what was asked, in a sentence: "deploy v2 to distributed, rolling"
     */
    public Operation(long id, String kind, String description) {
        this.id = id;
        this.kind = kind;
        this.description = description;
    }

    public long id() {
        return id;
    }

    /** Adds a line of progress; {@code host} may be empty for a step of the whole stack. */
    public synchronized void step(String host, String text) {
        steps.add(new Step(System.currentTimeMillis(), host, text));
    }

    public synchronized void done(String sentence) {
        end(State.DONE, sentence);
    }

    public synchronized void failed(String sentence) {
        end(State.FAILED, sentence);
    }

    private void end(State endState, String sentence) {
        if (state == State.RUNNING) {
            state = endState;
            result = sentence;
            endedAtMillis = System.currentTimeMillis();
        }
    }

    public synchronized boolean running() {
        return state == State.RUNNING;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(id, kind, description, state, startedAtMillis, endedAtMillis, result, steps);
    }
}
