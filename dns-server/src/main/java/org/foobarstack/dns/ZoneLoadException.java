package org.foobarstack.dns;

/**
 * A zone file was refused: it names the file, the line and the reason, in that order, the way a
 * compiler reports an error ({@code foobar.com.zone:7: CNAME and other data at www.foobar.com.}).
 *
 * <p>When this is thrown by {@link DnsServer#reload()}, the server keeps answering from the
 * previous version of that zone.
 */
public final class ZoneLoadException extends RuntimeException {

    private final String file;
    private final int line;
    private final String reason;

    public ZoneLoadException(String file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    public ZoneLoadException(String file, int line, String reason, Throwable cause) {
        this(file, line, reason);
        initCause(cause);
    }

    /** The zone file's name, as given to the loader. */
    public String file() {
        return file;
    }

    /** 1-based line of the offending record; 0 when the problem is about the file as a whole. */
    public int line() {
        return line;
    }

    /** What is wrong, citing the RFC rule it breaks. */
    public String reason() {
        return reason;
    }
}
