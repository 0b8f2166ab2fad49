package org.foobarstack.monitoring.exposition;

/**
 * A body that is not valid text exposition 0.0.4. The message names the line, so that whoever pushed it can find
 * what to fix: {@code line 3: expected '=' after label name "code": foo{code 1}}.
 */
public final class ExpositionException extends Exception {

    private final int lineNumber;
    private final String line;
    private final String problem;

    public ExpositionException(int lineNumber, String line, String problem) {
        super("line " + lineNumber + ": " + problem + ": " + line);
        this.lineNumber = lineNumber;
        this.line = line;
        this.problem = problem;
    }

    /** 1 for the first line. */
    public int lineNumber() {
        return lineNumber;
    }

    /** The offending line as it was sent. */
    public String line() {
        return line;
    }

    /** What is wrong with it, without the line. */
    public String problem() {
        return problem;
    }
}
