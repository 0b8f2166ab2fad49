package org.foobarstack.walk.packet;

/** Bytes that do not make the header they should: where, and why. The decoder turns it into a "Malformed" field. */
public final class MalformedPacketException extends RuntimeException {

    private final int offset;

    public MalformedPacketException(int offset, String message) {
        super(message);
        this.offset = offset;
    }

    /** Where in the frame the header stopped making sense. */
    public int offset() {
        return offset;
    }
}
