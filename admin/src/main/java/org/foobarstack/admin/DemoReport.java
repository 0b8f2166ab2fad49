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
 * A report of one of the demo commands, which the dashboard charts: {@code foobar-stack demo spof} (the runs of
 * the two designs under load, with the kill and the restart), {@code demo deploy} (which version answered each
 * second while v2 was deployed) or {@code demo scale} (the requests served per second as servers were added).
 * The command sends it to the admin server ({@code PUT /api/demo}); the admin server keeps the last one and hands
 * it back unchanged ({@code GET /api/demo}).
 *
 * <p>The admin server does not own these formats (the launcher does), so it checks only what the dashboard needs
 * in order to draw anything: a JSON object; when it names its demo ({@code "demo": "deploy"}), the array that
 * demo's chart is drawn from ({@code "runs"} for deploy, {@code "steps"} for scale); when it does not (the
 * report of {@code demo spof}, which came first), a {@code "runs"} array. A report of a demo this admin server
 * does not know is kept as it is, and the page says it cannot draw it: a newer launcher is not refused by an
 * older dashboard. Each run's or step's keys are read by the page, which skips what it does not find.
 *
 * @param json the report's bytes exactly as received
 * @param demo which demo made it: its {@code "demo"} key, or "spof" for a report without one
 */
record DemoReport(byte[] json, String demo) {

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
        Objects.requireNonNull(demo, "demo");
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
            throw new NotAReport("a demo report is a JSON object, {\"runs\": [...]}, not a JSON " + typeOf(root));
        }
        JsonNode name = root.get("demo");
        if (name != null && !name.isTextual()) {
            throw new NotAReport("\"demo\" names the demo that made the report (\"deploy\", \"scale\"), a JSON "
                    + "string; here it is a JSON " + typeOf(name));
        }
        String demo = name == null ? "spof" : name.asText();
        switch (demo) {
            case "spof" -> requireArray(root, "runs",
                    "a demo report has a \"runs\" array, one entry per design run");
            case "deploy" -> requireArray(root, "runs", "a deploy report has a \"runs\" array, one entry per "
                    + "design deployed to");
            case "scale" -> requireArray(root, "steps", "a scale report has a \"steps\" array, one entry per "
                    + "number of servers and offered load");
            default -> {
                // another demo's report: its shape is its command's business, and the page says it draws none
            }
        }
        return new DemoReport(body, demo);
    }

    private static void requireArray(JsonNode root, String key, String rule) {
        JsonNode array = root.get(key);
        if (array == null || !array.isArray()) {
            throw new NotAReport(rule + (array == null ? "; this object has no \"" + key + "\""
                    : "; here \"" + key + "\" is a JSON " + typeOf(array)));
        }
    }

    private static String typeOf(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** A body that is not a demo report; its message says why. */
    static final class NotAReport extends RuntimeException {
        NotAReport(String message) {
            super(message);
        }
    }
}
