package org.foobarstack.launcher.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyException;

/**
 * A design and the very text it was read from: the containers get the text, unchanged, as their topology file, and
 * each host moves it to the containers' network itself ({@code --network}). Shipping the text rather than a
 * rewritten design keeps the file a learner reads in the container the one they wrote, comments and all.
 *
 * @param design the design, as {@link ShippedTopologies#resolve} reads it
 * @param yaml   the topology file's text
 */
public record DesignSource(Topology design, String yaml) {

    /** Where the shipped designs lie on the class path (the topology module's resources). */
    private static final String SHIPPED = "org/foobarstack/topology/shipped/";

    /**
     * A shipped design by name, or else a topology file by path: the same choice, and the same errors, as every
     * other command that takes a design.
     *
     * @throws TopologyException if it is neither, or the file breaks a rule
     * @throws UncheckedIOException if the file cannot be read
     */
    public static DesignSource resolve(String nameOrPath) {
        Topology design = ShippedTopologies.resolve(nameOrPath);
        try {
            return new DesignSource(design, ShippedTopologies.names().contains(nameOrPath)
                    ? shippedText(nameOrPath) : Files.readString(Path.of(nameOrPath)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + nameOrPath, e);
        }
    }

    private static String shippedText(String name) throws IOException {
        try (InputStream in = ShippedTopologies.class.getClassLoader().getResourceAsStream(SHIPPED + name + ".yaml")) {
            if (in == null) {
                throw new IOException("no resource " + SHIPPED + name + ".yaml on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
