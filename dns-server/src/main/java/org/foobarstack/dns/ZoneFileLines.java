package org.foobarstack.dns;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the line on which each record of a master file starts, so that a record refused by
 * validation can be reported with its line number.
 *
 * <p>dnsjava's {@code Master} parses the records but does not say where each one came from. A
 * master file (RFC 1035 §5.1) has one record per logical line; a logical line can span physical
 * lines inside parentheses, and {@code ;} starts a comment outside quoted strings. Lines whose
 * first character is {@code $} are directives ($ORIGIN, $TTL...), not records. So counting logical
 * lines that hold something gives, in order, the starting line of every record {@code Master}
 * returns.
 */
final class ZoneFileLines {

    private ZoneFileLines() {
    }

    /** Starting line (1-based) of each record entry, in file order. */
    static List<Integer> recordStartLines(String text) {
        List<Integer> starts = new ArrayList<>();
        int line = 1;
        int depth = 0;              // open parentheses: RFC 1035 §5.1 lets "(" ")" span lines
        boolean inQuotes = false;
        boolean inComment = false;
        boolean atLineStart = true; // at the first character of a physical line
        boolean entryOpen = false;  // this logical line already produced a record or directive
        boolean directive = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                inComment = false;
                atLineStart = true;
                if (depth == 0 && !inQuotes) {
                    entryOpen = false;
                    directive = false;
                }
                continue;
            }
            boolean firstChar = atLineStart;
            atLineStart = false;
            if (inComment) {
                continue;
            }
            if (inQuotes) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inQuotes = false;
                }
                continue;
            }
            switch (c) {
                case ';' -> inComment = true;
                case ' ', '\t', '\r' -> { }
                default -> {
                    if (!entryOpen) {
                        entryOpen = true;
                        directive = firstChar && c == '$' && depth == 0;
                        if (!directive) {
                            starts.add(line);
                        }
                    }
                    if (c == '\\') {
                        i++;
                    } else if (c == '"') {
                        inQuotes = true;
                    } else if (c == '(') {
                        depth++;
                    } else if (c == ')' && depth > 0) {
                        depth--;
                    }
                }
            }
        }
        return starts;
    }
}
