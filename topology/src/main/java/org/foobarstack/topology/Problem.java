package org.foobarstack.topology;

import java.util.Comparator;

/**
 * One thing wrong with a topology file, and where.
 *
 * @param source the file's name as given to the loader ({@code distributed.yaml})
 * @param line 1-based line; 0 when the problem is about the file as a whole
 * @param column 1-based column, counting characters as an editor does
 * @param message what is wrong, and when it helps, what is allowed instead
 */
public record Problem(String source, int line, int column, String message) {

    /** The order problems are reported in: by line, then by column, as compilers do. */
    public static final Comparator<Problem> IN_FILE_ORDER =
            Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column);

    /** The compiler style that editors and terminals turn into links: {@code distributed.yaml:14:7: message}. */
    @Override
    public String toString() {
        return line == 0 ? source + ": " + message : source + ":" + line + ":" + column + ": " + message;
    }
}
