package org.foobarstack.toxics;

/**
 * Toxiproxy's {@code limit_data}: the first {@code bytes} bytes of the stream pass, then the stream is closed,
 * which closes the connection. The reader gets exactly {@code bytes} bytes and then the end.
 *
 * @param bytes how many bytes pass, counted from when the toxic began on the connection
 */
public record LimitData(long bytes) implements Effect {

    public LimitData {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        }
    }

    @Override
    public String type() {
        return "limit_data";
    }
}
