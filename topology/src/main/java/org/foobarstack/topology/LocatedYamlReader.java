package org.foobarstack.topology;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.foobarstack.topology.LocatedNode.Entry;
import org.foobarstack.topology.LocatedNode.Kind;
import org.foobarstack.topology.LocatedNode.Mapping;
import org.foobarstack.topology.LocatedNode.Scalar;
import org.foobarstack.topology.LocatedNode.Sequence;

/**
 * Reads YAML text into a {@link LocatedNode} tree, with Jackson's streaming {@link YAMLParser}.
 *
 * <p>A streaming parser hands out the document one token at a time ({@code START_OBJECT},
 * {@code FIELD_NAME}, {@code VALUE_NUMBER_INT}, ...), and before each token can be asked where it
 * started. Building the tree from the tokens ourselves is what keeps those places.
 *
 * <p>It also keeps the format small. A topology file is one document of maps, lists and plain
 * values: YAML's anchors and aliases (one value reused in several places), tags ({@code !!str})
 * and second documents after {@code ---} are refused, and a key given twice in one map is an
 * error (plain YAML libraries silently keep the last one).
 */
final class LocatedYamlReader {

    private final String source;
    private final YAMLParser parser;
    private final List<Problem> problems;
    private boolean unsupportedYaml;

    private LocatedYamlReader(String source, YAMLParser parser, List<Problem> problems) {
        this.source = source;
        this.parser = parser;
        this.problems = problems;
    }

    /**
     * The tree of one YAML document. Keys given twice are added to {@code problems} (the first value
     * is kept, so the rest of the file can still be checked).
     *
     * @throws TopologyException for what leaves no tree to read: a syntax error, an empty file, anchors,
     *     aliases, tags or several documents
     */
    static LocatedNode read(String source, String yaml, List<Problem> problems) {
        // a new factory per file: it is cheap, and shares nothing between two loads
        try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
            return new LocatedYamlReader(source, parser, problems).readDocument();
        } catch (JsonProcessingException e) {
            throw new TopologyException(List.of(syntaxProblem(source, e)));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from a String fails only on what it reads, reported above
        }
    }

    private LocatedNode readDocument() throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new TopologyException(List.of(new Problem(source, 1, 1,
                    "the file is empty: a topology needs at least name and hosts")));
        }
        LocatedNode root = readNode(first);
        if (parser.nextToken() != null) {
            report(parser.currentTokenLocation(), "a second YAML document (after ---): a topology file holds one");
            unsupportedYaml = true;
        }
        if (unsupportedYaml) {
            throw new TopologyException(problems);
        }
        return root;
    }

    private LocatedNode readNode(JsonToken token) throws IOException {
        JsonLocation start = parser.currentTokenLocation();
        refuseYamlExtras(start);
        int line = start.getLineNr();
        int column = start.getColumnNr();
        return switch (token) {
            case START_OBJECT -> readMapping(line, column);
            case START_ARRAY -> readSequence(line, column);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Scalar(parser.getText(), Kind.NUMBER, line, column);
            case VALUE_TRUE, VALUE_FALSE -> new Scalar(parser.getText(), Kind.BOOLEAN, line, column);
            case VALUE_NULL -> new Scalar(parser.getText(), Kind.NULL, line, column);
            default -> new Scalar(parser.getText(), Kind.TEXT, line, column);
        };
    }

    private Mapping readMapping(int line, int column) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Map<String, Scalar> keys = new HashMap<>();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            JsonLocation at = parser.currentTokenLocation();
            Scalar key = new Scalar(parser.currentName(), Kind.TEXT, at.getLineNr(), at.getColumnNr());
            LocatedNode value = readNode(parser.nextToken());
            Scalar first = keys.putIfAbsent(key.text(), key);
            if (first == null) {
                entries.add(new Entry(key, value));
            } else {
                problems.add(new Problem(source, key.line(), key.column(),
                        "duplicate key \"" + key.text() + "\" (first at line " + first.line() + ")"));
            }
        }
        return new Mapping(entries, line, column);
    }

    private Sequence readSequence(int line, int column) throws IOException {
        List<LocatedNode> items = new ArrayList<>();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            items.add(readNode(token));
        }
        return new Sequence(items, line, column);
    }

    /**
     * Anchors, aliases and tags: each makes a file harder to read than writing the value out.
     * Jackson passes on the anchor of a map or a list but not that of a single value; such an
     * anchor changes nothing by itself, and the alias that would use it is always reported.
     */
    private void refuseYamlExtras(JsonLocation at) throws IOException {
        if (parser.isCurrentAlias()) {
            report(at, "YAML aliases (*name) are not part of the topology format: write each value out");
        } else if (parser.getObjectId() != null) {
            report(at, "YAML anchors (&name) are not part of the topology format: write each value out");
        }
        if (parser.getTypeId() != null) {
            report(at, "YAML tags (!!type) are not part of the topology format: each key decides its value's type");
        }
    }

    private void report(JsonLocation at, String message) {
        problems.add(new Problem(source, at.getLineNr(), at.getColumnNr(), message));
        unsupportedYaml = true;
    }

    /**
     * A syntax error as one line. Jackson's YAML parser wraps the exception of SnakeYAML, the parser
     * underneath, whose "problem mark" is where the problem is (Jackson's own location is where it
     * stopped reading, often the line after); its message is several lines with a drawing of the
     * place, of which we keep the problem and what the parser was doing.
     */
    private static Problem syntaxProblem(String source, JsonProcessingException e) {
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            String context = yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")";
            return new Problem(source, yaml.getProblemMark().getLine() + 1, yaml.getProblemMark().getColumn() + 1,
                    "YAML syntax: " + yaml.getProblem() + context);
        }
        JsonLocation at = e.getLocation();
        String firstLine = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("unreadable YAML");
        return new Problem(source, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(),
                "YAML syntax: " + firstLine);
    }
}
