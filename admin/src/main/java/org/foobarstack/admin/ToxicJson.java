package org.foobarstack.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.foobarstack.toxics.Bandwidth;
import org.foobarstack.toxics.Direction;
import org.foobarstack.toxics.Effect;
import org.foobarstack.toxics.Latency;
import org.foobarstack.toxics.LimitData;
import org.foobarstack.toxics.ResetPeer;
import org.foobarstack.toxics.SlowClose;
import org.foobarstack.toxics.Slicer;
import org.foobarstack.toxics.Timeout;
import org.foobarstack.toxics.Toxic;

/**
 * A toxic as Toxiproxy's API writes it, so that what a user knows of Toxiproxy works here:
 *
 * <pre>
 *   {"name": "latency_downstream", "type": "latency", "stream": "downstream", "toxicity": 1.0,
 *    "attributes": {"latency": 200, "jitter": 0}}
 * </pre>
 *
 * with Toxiproxy's attribute names and units: {@code latency} and {@code jitter} in ms, {@code bandwidth}'s
 * {@code rate} in KB/s, {@code slow_close}'s {@code delay} in ms, {@code timeout}'s and {@code reset_peer}'s
 * {@code timeout} in ms, {@code slicer}'s {@code average_size} and {@code size_variation} in bytes and its
 * {@code delay} in µs, {@code limit_data}'s {@code bytes}. As in Toxiproxy, {@code name}, {@code stream} and
 * {@code toxicity} may be left out (downstream, 1, {@code <type>_<stream>}), and so may an attribute (0).
 */
public final class ToxicJson {

    /** Each type's attributes, in Toxiproxy's order. */
    static final Map<String, List<String>> ATTRIBUTES = Map.of(
            "latency", List.of("latency", "jitter"),
            "bandwidth", List.of("rate"),
            "slow_close", List.of("delay"),
            "timeout", List.of("timeout"),
            "reset_peer", List.of("timeout"),
            "slicer", List.of("average_size", "size_variation", "delay"),
            "limit_data", List.of("bytes"));

    private static final Set<String> FIELDS = Set.of("name", "type", "stream", "toxicity", "attributes");

    private ToxicJson() {
    }

    /**
     * Reads one toxic.
     *
     * @throws BadToxic naming the field or attribute that is wrong, and what it should be
     */
    public static Toxic parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new BadToxic("a toxic is a JSON object: {\"type\": \"latency\", \"attributes\": {\"latency\": 200}}");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw new BadToxic("unknown field \"" + field + "\": a toxic has name, type, stream, toxicity and "
                        + "attributes");
            }
        }
        String type = node.path("type").asText("");
        List<String> known = ATTRIBUTES.get(type);
        if (known == null) {
            throw new BadToxic("type must be one of latency, bandwidth, slow_close, timeout, reset_peer, slicer, "
                    + "limit_data; got " + (node.has("type") ? node.get("type").toString() : "none"));
        }
        JsonNode attributes = node.path("attributes");
        if (!attributes.isMissingNode() && !attributes.isObject()) {
            throw new BadToxic("attributes must be a JSON object");
        }
        for (Iterator<String> names = attributes.fieldNames(); names.hasNext(); ) {
            String attribute = names.next();
            if (!known.contains(attribute)) {
                throw new BadToxic("attribute \"" + attribute + "\" is not one of " + type + "'s: "
                        + String.join(", ", known));
            }
        }
        Effect effect;
        try {
            effect = switch (type) {
                case "latency" -> new Latency(millis(attributes, "latency"), millis(attributes, "jitter"));
                case "bandwidth" -> new Bandwidth(whole(attributes, "rate"));
                case "slow_close" -> new SlowClose(millis(attributes, "delay"));
                case "timeout" -> new Timeout(millis(attributes, "timeout"));
                case "reset_peer" -> new ResetPeer(millis(attributes, "timeout"));
                case "slicer" -> new Slicer(Math.toIntExact(whole(attributes, "average_size")),
                        Math.toIntExact(whole(attributes, "size_variation")),
                        Duration.ofNanos(Math.multiplyExact(whole(attributes, "delay"), 1000L)));
                default -> new LimitData(whole(attributes, "bytes"));
            };
        } catch (BadToxic e) {
            throw e; // an attribute's own message, already naming it
        } catch (ArithmeticException e) {
            throw new BadToxic("a " + type + " attribute is too large");
        } catch (IllegalArgumentException e) {
            // the effect's own rule (a negative latency, size_variation >= average_size): its message names it
            throw new BadToxic(type + ": " + e.getMessage());
        }
        Toxic toxic = Toxic.of(effect).on(stream(node));
        if (node.has("toxicity")) {
            JsonNode toxicity = node.get("toxicity");
            if (!toxicity.isNumber() || toxicity.asDouble() < 0 || toxicity.asDouble() > 1) {
                throw new BadToxic("toxicity must be a number from 0 to 1, got " + toxicity);
            }
            toxic = toxic.toxicity(toxicity.asDouble());
        }
        if (node.has("name") && !node.get("name").isNull()) {
            String name = node.get("name").asText();
            if (!node.get("name").isTextual() || name.isBlank() || name.contains("/")) {
                throw new BadToxic("name must be a non-empty string without '/', got " + node.get("name"));
            }
            toxic = toxic.named(name);
        }
        return toxic;
    }

    /** Writes {@code toxic} into {@code node}, in the shape {@link #parse} reads. */
    public static ObjectNode write(Toxic toxic, ObjectNode node) {
        node.put("name", toxic.name());
        node.put("type", toxic.type());
        node.put("stream", toxic.stream().key());
        node.put("toxicity", toxic.toxicity());
        ObjectNode a = node.putObject("attributes");
        Effect effect = toxic.effect();
        if (effect instanceof Latency l) {
            a.put("latency", l.latency().toMillis()).put("jitter", l.jitter().toMillis());
        } else if (effect instanceof Bandwidth b) {
            a.put("rate", b.rateKbPerSecond());
        } else if (effect instanceof SlowClose s) {
            a.put("delay", s.delay().toMillis());
        } else if (effect instanceof Timeout t) {
            a.put("timeout", t.timeout().toMillis());
        } else if (effect instanceof ResetPeer r) {
            a.put("timeout", r.timeout().toMillis());
        } else if (effect instanceof Slicer s) {
            a.put("average_size", s.averageSize()).put("size_variation", s.sizeVariation())
                    .put("delay", s.delay().toNanos() / 1000);
        } else if (effect instanceof LimitData d) {
            a.put("bytes", d.bytes());
        }
        return node;
    }

    private static Direction stream(JsonNode node) {
        String stream = node.path("stream").asText("downstream");
        return switch (stream) {
            case "upstream" -> Direction.UPSTREAM;
            case "downstream" -> Direction.DOWNSTREAM;
            default -> throw new BadToxic("stream must be upstream or downstream, got \"" + stream + "\"");
        };
    }

    private static Duration millis(JsonNode attributes, String name) {
        return Duration.ofMillis(whole(attributes, name));
    }

    /** A whole, non-negative number; 0 when left out, as Toxiproxy's zero value. */
    private static long whole(JsonNode attributes, String name) {
        JsonNode value = attributes.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw new BadToxic("attribute " + name + " must be a whole number, 0 or more, got " + value);
        }
        return value.asLong();
    }

    /** A toxic the API cannot take: 400, with a sentence naming what is wrong. */
    public static final class BadToxic extends IllegalArgumentException {
        public BadToxic(String message) {
            super(message);
        }
    }
}
