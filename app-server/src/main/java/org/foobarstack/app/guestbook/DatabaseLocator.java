package org.foobarstack.app.guestbook;

import java.sql.SQLException;
import java.util.List;

/**
 * Tells which database is the primary and which are replicas, by URL. Asked before every statement, so an
 * implementation answers from a cache and asks again only when the answer has expired or was {@link #forget()
 * forgotten}.
 */
public interface DatabaseLocator {

    /** The primary's URL. */
    String primaryUrl() throws SQLException;

    /** The replicas' URLs; empty when there are none (or none can be found: reads then go to the primary). */
    List<String> replicaUrls();

    /** Drops cached answers: a statement on the primary failed in a way that says it may no longer be one. */
    void forget();

    /** One database, always the primary, no replicas: the {@code simple} design. */
    static DatabaseLocator single(String jdbcUrl) {
        return new DatabaseLocator() {
            @Override
            public String primaryUrl() {
                return jdbcUrl;
            }

            @Override
            public List<String> replicaUrls() {
                return List.of();
            }

            @Override
            public void forget() {
            }
        };
    }
}
