package org.foobarstack.topology;

import java.util.List;
import java.util.Optional;

/**
 * A YAML document as a small tree whose every node remembers where it started in the file.
 *
 * <p>A general YAML library hands back maps and lists of plain values, and with them the line
 * numbers are gone; but "port 8080 clashes" is only half an error message without
 * "distributed.yaml:14:7". So {@link LocatedYamlReader} builds this tree instead, and
 * {@link TopologyLoader} reads the topology from it: whatever it finds wrong, it knows where.
 *
 * <p>Three kinds of node are enough for a topology file: a scalar (one value), a mapping (keys to
 * values, in file order) and a sequence (a list). Lines and columns count from 1, as editors do.
 */
sealed interface LocatedNode permits LocatedNode.Scalar, LocatedNode.Mapping, LocatedNode.Sequence {

    int line();

    int column();

    /** How an error message shows what was found instead of what was expected: {@code "http"}, {@code a map}. */
    String describe();

    /** What YAML made of a plain scalar: {@code 8080} is a number, {@code "8080"} (quoted) is text. */
    enum Kind { TEXT, NUMBER, BOOLEAN, NULL }

    /**
     * One value: the text as written (without quotes), and the kind YAML gives it. Keys are
     * scalars too, so an error about a key can point at the key.
     */
    record Scalar(String text, Kind kind, int line, int column) implements LocatedNode {

        @Override
        public String describe() {
            return kind == Kind.NULL ? "nothing" : "\"" + text + "\"";
        }
    }

    /** One key and its value. */
    record Entry(Scalar key, LocatedNode value) {
    }

    /** Keys and values in file order; every key appears once (the reader reports a repeated key). */
    record Mapping(List<Entry> entries, int line, int column) implements LocatedNode {

        public Mapping {
            entries = List.copyOf(entries);
        }

        /** An empty mapping at a place: what a key given with no value ({@code dns:}) stands for. */
        static Mapping emptyAt(LocatedNode place) {
            return new Mapping(List.of(), place.line(), place.column());
        }

        Optional<Entry> entry(String key) {
            return entries.stream().filter(entry -> entry.key().text().equals(key)).findFirst();
        }

        @Override
        public String describe() {
            return "a map";
        }
    }

    /** Items in file order. */
    record Sequence(List<LocatedNode> items, int line, int column) implements LocatedNode {

        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }
}
