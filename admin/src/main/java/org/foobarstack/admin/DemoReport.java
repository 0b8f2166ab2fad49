package org.foobarstack.admin;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;

/**
 * A report of {@code foobar-stack demo spof}: the runs of the two designs under load, with the kill and the
 * restart, that the dashboard charts. The command sends it to the admin server ({@code PUT /api/demo}); the
 * admin server keeps the last one and hands it back unchanged ({@code GET /api/demo}).
 *
 * <p>The admin server does not own this format (the launcher does), so it checks only what the dashboard needs
 * in order to draw anything: a JSON object with a {@code "runs"} array. Each run's keys are read by the page,
 * which skips what it does not find.
 *
 * @param json the report's bytes exactly as received
 * @param runs how many runs it holds
 */
record DemoReport(byte[] json, int runs) {

    /**
     * The largest report taken. A real one is a few tens of KiB (one slice per 250 ms of load, plus the load
     * generator's summary); the limit leaves plenty of room and still bounds what one request can make the
     * admin server hold.
     */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    /**
     * Strict about what follows the object: a reader that stopped at the first complete value would take
     * {@code {"runs":[]} garbage} for a report.
     */
    private static final ObjectReader READER = new ObjectMapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    DemoReport {
        Objects.requireNonNull(json, "json");
    }

    /**
     * Checks that {@code body} is a report.
     *
     * @throws NotAReport saying what is wrong, in a sentence for the person who sent it
     */
    static DemoReport parse(byte[] body) {
        if (body.length == 0) {
            throw new NotAReport("the body is empty: send the JSON that `foobar-stack demo spof --json` prints");
        }
        JsonNode root;
        try {
            root = READER.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            throw new NotAReport("the body is not JSON: " + e.getOriginalMessage()
                    + (where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new NotAReport("the body is not JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new NotAReport("the body holds only white space: send the JSON that `foobar-stack demo spof "
                    + "--json` prints");
        }
        if (!root.isObject()) {
            throw new NotAReport("a demo report is a JSON object, {\"runs\": [...]}, not a JSON "
                    + root.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        JsonNode runs = root.get("runs");
        if (runs == null || !runs.isArray()) {
            throw new NotAReport("a demo report has a \"runs\" array, one entry per design run"
                    + (runs == null ? "; this object has no \"runs\"" : "; here \"runs\" is a JSON "
                    + runs.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return new DemoReport(body, runs.size());
    }

    /** A body that is not a demo report; its message says why. */
    static final class NotAReport extends RuntimeException {
        NotAReport(String message) {
            super(message);
        }
    }
}
