package org.foobarstack.app.guestbook;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The versions of the guestbook an app server can run, so that a rolling update has two real versions to go
 * between. Each answer says which one produced it ({@code X-App-Version: v2}), and so does the passport.
 *
 * <ul>
 *   <li>{@link #V1}: the guestbook as it always was.</li>
 *   <li>{@link #V2}: the same guestbook, and {@code GET /api/messages} also says how many messages there are, in
 *       the header {@code X-Message-Count}. The JSON body is byte for byte what v1 sends, so a client written for
 *       v1 cannot tell the difference; a client that knows v2 reads the header.</li>
 * </ul>
 */
public enum AppVersion {

    V1("the guestbook: list, post and read messages"),
    V2("the guestbook that also counts its messages (X-Message-Count on GET /api/messages)");

    private final String description;

    AppVersion(String description) {
        this.description = description;
    }

    /** "v1", "v2": how the version is written in headers, JSON and flags. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** One sentence: what this version of the application does. */
    public String description() {
        return description;
    }

    /** Whether GET /api/messages also counts the messages: the feature v2 adds. */
    public boolean countsMessages() {
        return this == V2;
    }

    /**
     * "v1", "V1", "v2"... (surrounding spaces ignored).
     *
     * @throws IllegalArgumentException naming the versions there are, for anything else
     */
    public static AppVersion parse(String text) {
        String word = text == null ? "" : text.strip();
        for (AppVersion version : values()) {
            if (version.word().equalsIgnoreCase(word)) {
                return version;
            }
        }
        throw new IllegalArgumentException("unknown application version '" + text + "': the known versions are "
                + Arrays.stream(values()).map(AppVersion::word).collect(Collectors.joining(", ")));
    }
}
