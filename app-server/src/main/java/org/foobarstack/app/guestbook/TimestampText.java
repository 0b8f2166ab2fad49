package org.foobarstack.app.guestbook;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;

/**
 * A SQL TIMESTAMP, read as its fields, turned into the ISO-8601 UTC instant the API sends
 * ({@code 2026-11-22T05:08:57.550Z}): what {@code LocalDateTime.atZone(zone).toInstant().toString()} gives, and so
 * what {@code rs.getTimestamp(i).toInstant().toString()} gives too, except in the hour a zone's clocks go back: a
 * local time in it happens twice, java.time takes the earlier offset and {@code java.sql.Timestamp} standard time.
 * (Derby's CURRENT_TIMESTAMP is local time, so such a value is ambiguous in the database already; a zone without
 * daylight saving time, UTC among them, has no such hour.)
 *
 * <p>The fields are what Derby's datetime functions return: {@code YEAR}, {@code MONTH}, {@code DAY}, {@code HOUR}
 * and {@code MINUTE} as INTEGER, and {@code SECOND} as a DOUBLE that holds the fraction too (seconds plus nanoseconds
 * divided by 10^9). Why not read the TIMESTAMP itself, or its text: Derby writes either by building a
 * {@code GregorianCalendar} per value, a page of messages has one per row, and under load those calendars were a
 * sixth of all the bytes a request allocated. Derby computes the six fields from the value it stores (a date and a
 * time of day packed into ints, and the nanoseconds) with arithmetic alone, sends them as plain numbers, and the
 * driver reads them without building a String.
 *
 * <p>The seconds come back exactly: below 60, a double is precise to about 10^-14 s, so rounding
 * {@code (seconds - whole seconds) * 10^9} gives the stored nanoseconds.
 *
 * <p>The fraction follows {@link java.time.format.DateTimeFormatter#ISO_INSTANT}: none when it is zero, else three,
 * six or nine digits, as many as needed.
 */
final class TimestampText {

    private static final int NANOS_PER_SECOND = 1_000_000_000;
    private static final int NANOS_PER_MILLI = 1_000_000;
    private static final int NANOS_PER_MICRO = 1_000;
    /** "yyyy-mm-ddThh:mm:ss": the part every value has. */
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

    /**
     * The UTC instant, in ISO-8601, of the local date and time given by its fields.
     *
     * @param seconds the seconds with their fraction, as Derby's {@code SECOND()} gives them (0 &lt;= seconds &lt; 60)
     */
    String toIsoInstant(int year, int month, int day, int hour, int minute, double seconds) {
        if (!(seconds >= 0 && seconds < 60)) {
            throw new IllegalArgumentException("not the seconds of a time of day (0 to 59.999999999): " + seconds);
        }
        int second = (int) seconds;
        // exact: a double minus its whole part loses nothing, and the product is within 10^-5 of an integer
        int nano = (int) Math.round((seconds - second) * NANOS_PER_SECOND);
        if (nano == NANOS_PER_SECOND) {
            // only for a value that Derby's SECOND() cannot produce (59.9999999999...); keep the text well formed
            nano = NANOS_PER_SECOND - 1;
        }
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
