package org.foobarstack.testkit;

import org.foobarstack.launcher.hosts.DbTierRuntime;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The primary database of a test stack (the one that takes writes; in {@code simple}, the only one), reached as
 * the app servers reach it: Derby's network protocol, with the application's user.
 *
 * <p>A statement run here is the test's own: it is not recorded, since only the app tier records SQL.
 */
public final class TestDatabase {

    private final DbTierRuntime tier;

    TestDatabase(DbTierRuntime tier) {
        this.tier = tier;
    }

    /** The host the primary runs on. */
    public String host() {
        return tier.host().name();
    }

    /** {@code jdbc:derby://127.0.N.x:1527/...}: the Derby client driver's URL of the primary. */
    public String jdbcUrl() {
        return tier.jdbcUrl();
    }

    /** The application's database user, whose default schema holds the guestbook's tables. */
    public String user() {
        return tier.appUser();
    }

    public String password() {
        return tier.appPassword();
    }

    /** A new connection as the application's user; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }
}
