package org.foobarstack.walk.packet;

import java.util.Objects;
import org.foobarstack.trace.Field;

/** One header of a packet (or its application bytes) as a field tree, tagged with the layer it belongs to. */
public record PacketLayer(Layer layer, Field field) {
    public PacketLayer {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(field, "field");
    }
}
