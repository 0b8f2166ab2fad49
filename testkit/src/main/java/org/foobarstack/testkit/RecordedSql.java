package org.foobarstack.testkit;

import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;

import java.util.List;
import java.util.Objects;

/**
 * One SQL statement as an app server sent it to a database, with the values bound to its parameters and the
 * number of rows that came back. The app tier records it (Derby's network protocol carries no trace id), under
 * the trace of the HTTP request that caused it.
 *
 * @param traceId    the request's trace id
 * @param instance   which app server sent it: {@code app-1}...
 * @param database   which database answered: {@code db-1}...
 * @param statement  the SQL text, with {@code ?} for each parameter
 * @param parameters each bound value as the trace shows it, in order: {@code 'ada' (VARCHAR)}, {@code 1 (BIGINT)}
 * @param rows       rows read or changed
 * @param startNanos {@link System#nanoTime()} when it was executed
 */
public record RecordedSql(String traceId, String instance, String database, String statement,
                          List<String> parameters, int rows, long startNanos) {

    public RecordedSql {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(statement, "statement");
        parameters = List.copyOf(parameters);
    }

    /** The statement in an app tier's "SQL sent" hop. */
    static RecordedSql of(Hop hop) {
        if (hop.protocol() != Protocol.SQL) {
            throw new IllegalArgumentException("not an SQL hop: " + hop);
        }
        List<Field> fields = hop.fields();
        String database = HopFields.value(fields, "Database");
        int comma = database.indexOf(',');
        List<String> parameters = HopFields.find(fields, "Parameters")
                .map(p -> p.children().stream().map(Field::value).toList()).orElse(List.of());
        String rows = HopFields.value(fields, "Rows");
        return new RecordedSql(hop.traceId(), hop.instance(), comma < 0 ? database : database.substring(0, comma),
                HopFields.value(fields, "Statement"), parameters, rows.isEmpty() ? 0 : Integer.parseInt(rows),
                hop.startNanos());
    }
}
