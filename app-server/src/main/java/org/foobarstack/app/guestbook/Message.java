package org.foobarstack.app.guestbook;

/**
 * One guestbook message, as stored in MESSAGES and as sent in JSON.
 *
 * @param id        MESSAGES.ID, assigned by the database
 * @param author    MESSAGES.AUTHOR, 1..64 characters
 * @param body      MESSAGES.BODY, 1..2000 characters
 * @param createdAt MESSAGES.CREATED_AT as ISO-8601 UTC, e.g. 2026-11-22T01:02:03.456Z
 */
public record Message(long id, String author, String body, String createdAt) {

    /** Column sizes of the MESSAGES table. */
    public static final int MAX_AUTHOR_LENGTH = 64;
    public static final int MAX_BODY_LENGTH = 2000;
}
