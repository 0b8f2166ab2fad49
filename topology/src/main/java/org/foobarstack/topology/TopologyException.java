package org.foobarstack.topology;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A topology file was refused. Its message lists every problem found, one a line, in file order:
 * <pre>
 * distributed.yaml:14:7: unknown role "wbe" (roles: dns, lb, web, app, db, monitor)
 * distributed.yaml:21:15: expected a number for port, got "http"
 * </pre>
 * All problems are reported at once, not only the first, so a file can be fixed in one go.
 */
public final class TopologyException extends RuntimeException {

    private final List<Problem> problems;

    /** @param problems at least one; they are sorted into file order */
    public TopologyException(List<Problem> problems) {
        super(format(problems));
        this.problems = problems.stream().sorted(Problem.IN_FILE_ORDER).toList();
    }

    /** The problems, sorted by line and column. */
    public List<Problem> problems() {
        return problems;
    }

    private static String format(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a TopologyException reports at least one problem");
        }
        return problems.stream().sorted(Problem.IN_FILE_ORDER).map(Problem::toString).collect(Collectors.joining("\n"));
    }
}
