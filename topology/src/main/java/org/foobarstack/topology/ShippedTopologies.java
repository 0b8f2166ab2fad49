package org.foobarstack.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The designs that come with the stack, read from the class path, and the way a user picks one:
 * by its name ({@code distributed}) or by the path of a topology file of their own.
 */
public final class ShippedTopologies {

    private static final String DIRECTORY = "org/foobarstack/topology/shipped/";
    private static final List<String> NAMES = List.of("simple", "distributed", "secured", "scaled");

    private ShippedTopologies() {
    }

    /** The shipped designs' names, simplest first: {@code simple}, {@code distributed}, {@code secured}, {@code scaled}. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * A shipped design.
     *
     * @throws IllegalArgumentException if no design has that name
     */
    public static Topology load(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no shipped topology named \"" + name + "\" (shipped: "
                    + String.join(", ", NAMES) + ")");
        }
        return TopologyLoader.loadResource(DIRECTORY + name + ".yaml");
    }

    /** One line per shipped design: its name and the first line of its description. */
    public static String describe() {
        int width = NAMES.stream().mapToInt(String::length).max().orElse(0);
        return NAMES.stream()
                .map(name -> String.format("%-" + width + "s  %s", name, load(name).description().lines().findFirst().orElse("")))
                .collect(Collectors.joining("\n"));
    }

    /**
     * The shipped design of that name, or else the topology file at that path.
     *
     * @throws TopologyException if the file does not parse or breaks a rule, or if there is neither
     *     a shipped design nor a file of that name (the message then lists the shipped names)
     * @throws UncheckedIOException if the file exists but cannot be read
     */
    public static Topology resolve(String nameOrPath) {
        if (NAMES.contains(nameOrPath)) {
            return load(nameOrPath);
        }
        Path file;
        try {
            file = Path.of(nameOrPath);
        } catch (InvalidPathException e) {
            file = null;
        }
        if (file == null || !Files.isRegularFile(file)) {
            throw new TopologyException(List.of(new Problem(nameOrPath, 0, 0,
                    "neither a shipped topology (" + String.join(", ", NAMES) + ") nor a topology file")));
        }
        try {
            return TopologyLoader.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
