package org.foobarstack.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.foobarstack.toxics.Toxic;

/**
 * The JSON of Toxiproxy's API, key for key, so that its clients read ours:
 *
 * <pre>
 *   GET /proxies      {"app-1_to_db-1": {"name": "app-1_to_db-1", "listen": "127.0.0.1:41234",
 *                       "upstream": "127.0.0.1:1527", "enabled": true, "toxics": [...]}, ...}
 *   a toxic           {"name": "latency_downstream", "type": "latency", "stream": "downstream",
 *                      "toxicity": 1.0, "attributes": {"latency": 200, "jitter": 0}}   (see {@link ToxicJson})
 *   an error          {"error": "proxy not found", "status": 404}
 *   GET /version      {"version": "2.6.0"}
 * </pre>
 *
 * Unlike the admin server's own answers, none carries a {@code "format"} key: Toxiproxy's have none.
 */
final class ToxiproxyJson {

    private final ObjectMapper mapper = new ObjectMapper();

    /** {@code GET /proxies}: an object from each proxy's name to the proxy. */
    String proxies(List<ProxyCollection.View> views) {
        ObjectNode root = mapper.createObjectNode();
        views.forEach(view -> proxy(root.putObject(view.name()), view));
        return text(root);
    }

    String proxy(ProxyCollection.View view) {
        return text(proxy(mapper.createObjectNode(), view));
    }

    /** {@code POST /populate}: {@code {"proxies": [...]}}. */
    String populated(List<ProxyCollection.View> views) {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode array = root.putArray("proxies");
        views.forEach(view -> proxy(array.addObject(), view));
        return text(root);
    }

    String toxics(List<Toxic> toxics) {
        ArrayNode array = mapper.createArrayNode();
        toxics.forEach(toxic -> ToxicJson.write(toxic, array.addObject()));
        return text(array);
    }

    String toxic(Toxic toxic) {
        return text(ToxicJson.write(toxic, mapper.createObjectNode()));
    }

    /** A toxic as a tree, for an update to lay its fields over. */
    ObjectNode toxicNode(Toxic toxic) {
        return ToxicJson.write(toxic, mapper.createObjectNode());
    }

    String error(int status, String message) {
        ObjectNode root = mapper.createObjectNode();
        root.put("error", message);
        root.put("status", status);
        return text(root);
    }

    String version(String version) {
        ObjectNode root = mapper.createObjectNode();
        root.put("version", version);
        return text(root);
    }

    /**
     * A request's body as JSON.
     *
     * @throws ToxicJson.BadToxic as Toxiproxy words it, "bad request body: ...", for an empty body or one that
     *                            is not JSON
     */
    JsonNode read(byte[] body) {
        if (body.length == 0) {
            throw new ToxicJson.BadToxic("bad request body: EOF (the request has no JSON body)");
        }
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ToxicJson.BadToxic("bad request body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ToxicJson.BadToxic("bad request body: " + e.getMessage());
        }
    }

    /** The proxies of a {@code POST /populate} body: a JSON array of {name, listen, upstream, enabled}. */
    List<ProxyCollection.Spec> specs(JsonNode array) {
        if (!array.isArray()) {
            throw new ToxicJson.BadToxic("bad request body: populate takes a JSON array of proxies");
        }
        List<ProxyCollection.Spec> specs = new ArrayList<>();
        array.forEach(node -> specs.add(spec(node)));
        return specs;
    }

    /** One proxy to make: {@code {"name": ..., "listen": ..., "upstream": ..., "enabled": true}}. */
    ProxyCollection.Spec spec(JsonNode node) {
        if (!node.isObject()) {
            throw new ToxicJson.BadToxic("bad request body: a proxy is a JSON object: {\"name\": \"redis\", "
                    + "\"listen\": \"127.0.0.1:26379\", \"upstream\": \"127.0.0.1:6379\"}");
        }
        Boolean enabled = bool(node, "enabled");
        return new ProxyCollection.Spec(string(node, "name"), string(node, "listen"), string(node, "upstream"),
                enabled == null || enabled);
    }

    /** A text field, null when absent or null. */
    static String string(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ToxicJson.BadToxic("bad request body: " + field + " must be a string, got " + value);
        }
        return value.asText();
    }

    /** A true/false field, null when absent or null. */
    static Boolean bool(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw new ToxicJson.BadToxic("bad request body: " + field + " must be true or false, got " + value);
        }
        return value.asBoolean();
    }

    private static ObjectNode proxy(ObjectNode node, ProxyCollection.View view) {
        node.put("name", view.name());
        node.put("listen", view.listen());
        node.put("upstream", view.upstream());
        node.put("enabled", view.enabled());
        ArrayNode toxics = node.putArray("toxics");
        view.toxics().forEach(toxic -> ToxicJson.write(toxic, toxics.addObject()));
        return node;
    }

    private String text(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of our own did not serialise", e);
        }
    }
}
