package org.foobarstack.httpcodec.response;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * HTTP-date, the one date format of HTTP (RFC 9110 §5.6.7): {@code Sun, 06 Nov 1994 08:49:37 GMT}.
 */
public final class HttpDates {

    /** IMF-fixdate: always two-digit days and GMT (RFC_1123_DATE_TIME would write "6 Nov"). */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private HttpDates() {
    }

    public static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    /** Parses an IMF-fixdate; returns null for anything else, which the caller then ignores (RFC 9110 §13.1.3). */
    public static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(text.trim(), IMF_FIXDATE).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
