package org.foobarstack.app.guestbook;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;

/**
 * A SQL TIMESTAMP, as Derby's client driver reads it with {@code getString} (JDBC escape format,
 * {@code yyyy-mm-dd hh:mm:ss[.f...]}, a local date and time with no zone), turned into the ISO-8601 UTC instant the
 * API sends ({@code 2026-11-22T05:08:57.550Z}): the very text {@code rs.getTimestamp(i).toInstant().toString()}
 * gives, for the same zone.
 *
 * <p>Why not that one-liner: it builds a {@code GregorianCalendar} per value inside the driver and runs a
 * {@code DateTimeFormatter} per value after it, and a page of messages reads one timestamp per row. Here the text is
 * read by position, the zone's offset is looked up once per value (once per JVM for UTC), and the result is written
 * into one char array.
 *
 * <p>The fraction follows {@link java.time.format.DateTimeFormatter#ISO_INSTANT}: none when it is zero, else three,
 * six or nine digits, as many as needed.
 */
final class TimestampText {

    private static final int NANOS_PER_MILLI = 1_000_000;
    private static final int NANOS_PER_MICRO = 1_000;
    /** "yyyy-mm-dd hh:mm:ss": the part every value has. */
    private static final int SECONDS_END = 19;
    private static final int MAX_FRACTION_DIGITS = 9;

    private final ZoneRules rules;
    /** Set when the zone never moves from UTC, so that no conversion is needed at all. */
    private final boolean utc;

    /** For timestamps stored in {@code zone}'s local time (the database's CURRENT_TIMESTAMP is). */
    TimestampText(ZoneId zone) {
        this.rules = zone.getRules();
        this.utc = rules.isFixedOffset() && rules.getOffset(Instant.EPOCH).equals(ZoneOffset.UTC);
    }

    /** The UTC instant of {@code sqlText} in ISO-8601; null for null. */
    String toIsoInstant(String sqlText) {
        if (sqlText == null) {
            return null;
        }
        if (sqlText.length() < SECONDS_END || sqlText.charAt(4) != '-' || sqlText.charAt(7) != '-'
                || sqlText.charAt(10) != ' ' || sqlText.charAt(13) != ':' || sqlText.charAt(16) != ':') {
            throw new IllegalArgumentException("not a SQL timestamp (yyyy-mm-dd hh:mm:ss[.f...]): " + sqlText);
        }
        int year = digits(sqlText, 0, 4);
        int month = digits(sqlText, 5, 7);
        int day = digits(sqlText, 8, 10);
        int hour = digits(sqlText, 11, 13);
        int minute = digits(sqlText, 14, 16);
        int second = digits(sqlText, 17, 19);
        int nano = fraction(sqlText);
        if (!utc) {
            LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second);
            LocalDateTime inUtc = LocalDateTime.ofEpochSecond(local.toEpochSecond(rules.getOffset(local)), 0,
                    ZoneOffset.UTC);
            year = inUtc.getYear();
            month = inUtc.getMonthValue();
            day = inUtc.getDayOfMonth();
            hour = inUtc.getHour();
            minute = inUtc.getMinute();
            second = inUtc.getSecond();
        }
        return format(year, month, day, hour, minute, second, nano);
    }

    private static String format(int year, int month, int day, int hour, int minute, int second, int nano) {
        int fractionDigits = nano == 0 ? 0 : nano % NANOS_PER_MILLI == 0 ? 3 : nano % NANOS_PER_MICRO == 0 ? 6 : 9;
        char[] out = new char[SECONDS_END + 1 + (fractionDigits == 0 ? 0 : 1 + fractionDigits)];
        put(out, 0, year, 4);
        out[4] = '-';
        put(out, 5, month, 2);
        out[7] = '-';
        put(out, 8, day, 2);
        out[10] = 'T';
        put(out, 11, hour, 2);
        out[13] = ':';
        put(out, 14, minute, 2);
        out[16] = ':';
        put(out, 17, second, 2);
        int at = SECONDS_END;
        if (fractionDigits > 0) {
            out[at++] = '.';
            put(out, at, nano / pow10(MAX_FRACTION_DIGITS - fractionDigits), fractionDigits);
            at += fractionDigits;
        }
        out[at] = 'Z';
        return new String(out);
    }

    /** The fraction after the seconds, in nanoseconds: ".55" is 550,000,000. */
    private static int fraction(String text) {
        if (text.length() == SECONDS_END) {
            return 0;
        }
        int digitCount = text.length() - SECONDS_END - 1;
        if (text.charAt(SECONDS_END) != '.' || digitCount < 1 || digitCount > MAX_FRACTION_DIGITS) {
            throw new IllegalArgumentException("not a SQL timestamp fraction (.f to .fffffffff): " + text);
        }
        return digits(text, SECONDS_END + 1, text.length()) * pow10(MAX_FRACTION_DIGITS - digitCount);
    }

    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not a digit at " + i + " of SQL timestamp " + text);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static void put(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    private static int pow10(int exponent) {
        int value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }
}
