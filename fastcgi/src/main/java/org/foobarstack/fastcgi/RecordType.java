package org.foobarstack.fastcgi;

import java.util.Optional;

/**
 * The record types of FastCGI 1.0 (specification §8, "Types and Constants").
 *
 * <p>Two families share one header format (§3.3):
 * <ul>
 *   <li><b>management records</b> carry request id 0 ({@link RecordHeader#NULL_REQUEST_ID}) and talk about the
 *       connection or the application as a whole: GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE;</li>
 *   <li><b>application records</b> carry the id of one request: everything else.</li>
 * </ul>
 * A stream record (PARAMS, STDIN, STDOUT, STDERR, DATA) is one piece of a byte stream; the stream ends with a
 * record of that type whose content is empty (§3.3, "Stream records").
 */
public enum RecordType {
    BEGIN_REQUEST(1, "§5.1", false, false),
    ABORT_REQUEST(2, "§5.4", false, false),
    END_REQUEST(3, "§5.5", false, false),
    PARAMS(4, "§5.2", false, true),
    STDIN(5, "§5.3", false, true),
    STDOUT(6, "§5.3", false, true),
    STDERR(7, "§5.3", false, true),
    DATA(8, "§5.3", false, true),
    GET_VALUES(9, "§4.1", true, false),
    GET_VALUES_RESULT(10, "§4.1", true, false),
    UNKNOWN_TYPE(11, "§4.2", true, false);

    private final int code;
    private final String section;
    private final boolean management;
    private final boolean stream;

    RecordType(int code, String section, boolean management, boolean stream) {
        this.code = code;
        this.section = section;
        this.management = management;
        this.stream = stream;
    }

    /** The value of the header's {@code type} byte. */
    public int code() {
        return code;
    }

    /** Where the FastCGI specification defines this record. */
    public String section() {
        return section;
    }

    public boolean isManagement() {
        return management;
    }

    public boolean isStream() {
        return stream;
    }

    /**
     * Each type at the index of its code (index 0 and codes beyond 11 are not types). Looked up for every record
     * in both directions, so built once: {@code values()} hands out a fresh copy of the constants on every call.
     */
    private static final RecordType[] BY_CODE = new RecordType[UNKNOWN_TYPE.code + 1];

    static {
        for (RecordType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    /** The type for a header byte, or empty for a type this version of the protocol does not define. */
    public static Optional<RecordType> of(int code) {
        return Optional.ofNullable(byCode(code));
    }

    /** The type for a header byte, or null for a type this version of the protocol does not define. */
    public static RecordType byCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** A name for any type byte, so that logs can show types we do not know, too. */
    public static String nameOf(int code) {
        return of(code).map(Enum::name).orElse("type " + code);
    }
}
