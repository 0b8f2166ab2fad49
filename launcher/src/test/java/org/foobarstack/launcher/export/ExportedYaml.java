package org.foobarstack.launcher.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;

/** The exported files read back as a YAML reader other than the one that wrote them sees them. */
final class ExportedYaml {

    private static final YAMLMapper YAML = new YAMLMapper();

    private ExportedYaml() {
    }

    /** One YAML document. */
    static JsonNode document(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a multi-document file, in order. */
    static List<JsonNode> documents(String text) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
            List<JsonNode> all = new ArrayList<>();
            docs.forEachRemaining(all::add);
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sequence of scalars as strings. */
    static List<String> strings(JsonNode sequence) {
        return StreamSupport.stream(sequence.spliterator(), false).map(JsonNode::asText).toList();
    }

    /** The shipped design of that name, as the exported files place it on {@code network}. */
    static Topology placed(String design, String network) {
        return ShippedTopologies.load(design).renumbered(address(network));
    }

    static InetAddress address(String dottedQuad) {
        try {
            return InetAddress.getByName(dottedQuad); // a literal: no lookup
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
