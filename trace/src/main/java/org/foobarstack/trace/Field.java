package org.foobarstack.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One line of a decoded message, as in Wireshark's packet-details pane: a name, where it sits in the
 * message's bytes, its decoded value, and the finer fields it is made of.
 *
 * <pre>
 *   Flags                 offset 2, length 2   0x8580 Standard query response, No error
 *     Response            offset 2, length 2   1... .... .... .... = Message is a response
 * </pre>
 *
 * <p>{@code offset} and {@code length} count bytes from the start of the message this field belongs to
 * (the DNS message, the HTTP head, the FastCGI record...). A field that is not a byte range of the
 * message (a TLS cipher suite reported by the JDK, an SQL row count) has {@link #NO_OFFSET}.
 * A bit field (a DNS flag) has the offset and length of the bytes that hold it.
 */
public record Field(String name, int offset, int length, String value, List<Field> children) {

    /** Marks a field that is not a byte range of the message. */
    public static final int NO_OFFSET = -1;

    public Field {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        children = List.copyOf(children);
        if (offset < NO_OFFSET || length < 0) {
            throw new IllegalArgumentException("bad range for field " + name + ": offset " + offset
                    + ", length " + length);
        }
    }

    /** A leaf field that is a byte range of the message. */
    public static Field of(String name, int offset, int length, String value) {
        return new Field(name, offset, length, value, List.of());
    }

    /** A leaf field that is not a byte range (timings, counts, facts reported by a library). */
    public static Field info(String name, String value) {
        return new Field(name, NO_OFFSET, 0, value, List.of());
    }

    /** A field made of finer fields. */
    public static Field group(String name, int offset, int length, String value, List<Field> children) {
        return new Field(name, offset, length, value, children);
    }

    public boolean hasOffset() {
        return offset != NO_OFFSET;
    }

    /** The first direct child with this name, or null. */
    public Field child(String childName) {
        for (Field child : children) {
            if (child.name().equals(childName)) {
                return child;
            }
        }
        return null;
    }

    /** This field moved {@code delta} bytes further into an enclosing message (children too). */
    public Field shifted(int delta) {
        List<Field> moved = new ArrayList<>(children.size());
        for (Field child : children) {
            moved.add(child.shifted(delta));
        }
        return new Field(name, hasOffset() ? offset + delta : NO_OFFSET, length, value, moved);
    }

    /**
     * Renders a bit field the way Wireshark does: {@code 1... .... .... .... = Response: Message is a response}.
     *
     * @param width    the number of bits in the whole word (8, 16, 32)
     * @param mask     the bits of this field within the word
     * @param word     the word's value
     */
    public static String bits(int width, int mask, int word) {
        StringBuilder out = new StringBuilder(width + width / 4);
        for (int bit = width - 1; bit >= 0; bit--) {
            int m = 1 << bit;
            out.append((mask & m) == 0 ? '.' : ((word & m) != 0 ? '1' : '0'));
            if (bit % 4 == 0 && bit != 0) {
                out.append(' ');
            }
        }
        return out.toString();
    }
}
