package org.foobarstack.launcher.export;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a string is written into a generated YAML file so that every reader gets the same string back.
 *
 * <p>The exported files are written line by line, not by a YAML library, so that they can carry comments and read
 * like files a person wrote. That leaves two things to get right by hand:
 * <ol>
 *   <li>A scalar: written bare ({@code ns1}, {@code 198.18.0.2}) when no reader could take it for anything but a
 *       string, else in double quotes. Kubernetes reads YAML 1.1, where {@code on}, {@code no} and {@code y} are
 *       booleans, so those words are quoted as well as numbers, {@code null} and anything with a space or a colon.</li>
 *   <li>A whole text (the topology file): a literal block ({@code |}), so that the file is shown line for line,
 *       comments and all, with an indicator that keeps its final line breaks exactly ({@code |-} none, {@code |} one,
 *       {@code |+} more). A text a literal block cannot carry (a first line that starts with a space, a carriage
 *       return, a control character) is written as one double-quoted scalar with escapes instead.</li>
 * </ol>
 */
public final class YamlText {

    /**
     * What may stand bare: letters, digits and {@code . _ / -}, not starting with a dot (YAML's .inf, .nan); and
     * colons after a letter ({@code foobar-stack:latest}), never followed by a space, so never a key (a colon
     * after a digit could be a YAML 1.1 number: {@code 1:20} is 80).
     */
    private static final Pattern BARE = Pattern.compile("[A-Za-z0-9/-][A-Za-z0-9._/-]*|[A-Za-z][A-Za-z0-9._/:-]*(?<!:)");
    /** Integers and floats of YAML 1.1 and 1.2, which a bare scalar must not look like: 1527, -1, 1.5, 1e3. */
    private static final Pattern NUMBER = Pattern.compile(
            "[-+]?(?:[0-9][0-9_]*(?:\\.[0-9_]*)?|\\.[0-9_]+)(?:[eE][-+]?[0-9]+)?|0[xob][0-9a-fA-F_]+");
    /** Booleans and null in YAML 1.1 (which Kubernetes reads) and 1.2. */
    private static final Set<String> RESERVED = Set.of("y", "n", "yes", "no", "on", "off", "true", "false", "null");

    private YamlText() {
    }

    /** {@code text} as one scalar: bare when that reads back as the same string, else double-quoted. */
    public static String scalar(String text) {
        boolean bare = BARE.matcher(text).matches() && !text.equals("-") && !NUMBER.matcher(text).matches()
                && !RESERVED.contains(text.toLowerCase(Locale.ROOT));
        return bare ? text : quoted(text);
    }

    /** {@code text} in double quotes, with YAML's escapes for what cannot stand there as it is. */
    public static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (printable(c)) {
                        out.appendCodePoint(c);
                    } else {
                        out.append(String.format("\\u%04x", c));
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    /**
     * {@code text} as the value of a key at {@code indent} spaces: {@code " |"} and its lines indented two spaces
     * more, or else {@code " "} and a quoted scalar. What is returned goes right after the key's colon.
     */
    public static String block(String text, int indent) {
        if (!fitsLiteralBlock(text)) {
            return " " + quoted(text);
        }
        int trailing = 0;
        while (trailing < text.length() && text.charAt(text.length() - 1 - trailing) == '\n') {
            trailing++;
        }
        String indicator = trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
        String margin = " ".repeat(indent + 2);
        StringBuilder out = new StringBuilder(" ").append(indicator).append('\n');
        // the lines up to the final line breaks, blank ones inside included; the indicator accounts for the breaks
        String body = text.substring(0, text.length() - trailing);
        for (String line : body.split("\n", -1)) {
            out.append(line.isEmpty() ? "" : margin + line).append('\n');
        }
        out.append("\n".repeat(Math.max(0, trailing - 1)));
        // the caller ends the key's line; the block has ended its own
        out.setLength(out.length() - 1);
        return out.toString();
    }

    /**
     * Whether a literal block gives {@code text} back exactly: something on the first line that does not start
     * with a space (a reader takes the block's indentation from it), and only characters a block may hold (no
     * carriage return, which readers turn into a line feed, and nothing unprintable).
     */
    static boolean fitsLiteralBlock(String text) {
        if (text.isEmpty() || text.charAt(0) == ' ' || text.charAt(0) == '\n') {
            return false;
        }
        return text.codePoints().allMatch(c -> c == '\n' || c == '\t' || printable(c));
    }

    /** YAML's printable characters, less those that readers take for line breaks (NEL, LS, PS) or a byte order mark. */
    private static boolean printable(int c) {
        return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff && c != 0x2028 && c != 0x2029)
                || (c >= 0xe000 && c <= 0xfffd && c != 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
    }
}
