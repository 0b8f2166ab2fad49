package org.foobarstack.httpcodec.parser;

/**
 * The character classes of HTTP's grammar, as lookup tables over the 256 byte values.
 */
final class CharClasses {

    private static final boolean[] TOKEN = new boolean[256];
    private static final boolean[] FIELD_VALUE = new boolean[256];
    private static final boolean[] TARGET = new boolean[256];

    static {
        // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
        //       / DIGIT / ALPHA                                                            (RFC 9110 §5.6.2)
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
        // field-vchar = VCHAR / obs-text, plus SP and HTAB inside a value                   (RFC 9110 §5.5)
        for (int b = 0x21; b <= 0x7E; b++) {
            FIELD_VALUE[b] = true;
        }
        for (int b = 0x80; b <= 0xFF; b++) {
            FIELD_VALUE[b] = true;
        }
        FIELD_VALUE[' '] = true;
        FIELD_VALUE['\t'] = true;
        // request-target: the visible ASCII characters; URIs have no raw spaces, controls or non-ASCII bytes
        // (RFC 3986 §2). Characters such as '"' or '|' are tolerated, as browsers send them unencoded.
        for (int b = 0x21; b <= 0x7E; b++) {
            TARGET[b] = true;
        }
    }

    private CharClasses() {
    }

    static boolean isTokenChar(byte b) {
        return TOKEN[b & 0xFF];
    }

    static boolean isFieldValueChar(byte b) {
        return FIELD_VALUE[b & 0xFF];
    }

    static boolean isTargetChar(byte b) {
        return TARGET[b & 0xFF];
    }
}
