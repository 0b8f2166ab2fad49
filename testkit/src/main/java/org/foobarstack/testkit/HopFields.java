package org.foobarstack.testkit;

import org.foobarstack.trace.Field;

import java.util.List;
import java.util.Optional;

/**
 * Reading a hop's decoded field tree (the Wireshark-like lines a tier recorded) by name: what the recorded
 * requests are made from.
 *
 * <p>The trees are the tiers' own ({@code HttpHeadFields}, {@code FastCgiFields}, {@code DnsFields}, the app
 * tier's SQL fields); these helpers only look fields up by the names those builders give them.
 */
final class HopFields {

    private HopFields() {
    }

    /** The first top-level field of that name. */
    static Optional<Field> find(List<Field> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The value of the child of that name, or {@code ""} when there is none. */
    static String childValue(Field field, String name) {
        Field child = field.child(name);
        return child == null ? "" : child.value();
    }

    /** The value of the top-level field of that name, or {@code ""}. */
    static String value(List<Field> fields, String name) {
        return find(fields, name).map(Field::value).orElse("");
    }

    /** The first word of a value such as {@code "A (1)"} or {@code "UDP, one datagram"}. */
    static String firstWord(String value) {
        int end = 0;
        while (end < value.length() && Character.isLetterOrDigit(value.charAt(end))) {
            end++;
        }
        return value.substring(0, end);
    }
}
