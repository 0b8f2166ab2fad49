package org.foobarstack.app.guestbook;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of the guestbook, one method per statement. Every statement gets the configured query timeout, and
 * every connection goes back to the pool when the method returns.
 */
public final class MessageStore {

    private static final String COLUMNS = "ID, AUTHOR, BODY, CREATED_AT";

    private final Database database;

    public MessageStore(Database database) {
        this.database = database;
    }

    /** A page of messages, newest first; ids below {@code beforeId} when it is given. */
    public List<Message> list(int limit, Long beforeId) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM MESSAGES" + (beforeId == null ? "" : " WHERE ID < ?")
                + " ORDER BY ID DESC FETCH FIRST ? ROWS ONLY";
        try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(database.statementTimeoutSeconds());
            int i = 1;
            if (beforeId != null) {
                ps.setLong(i++, beforeId);
            }
            ps.setInt(i, limit);
            List<Message> page = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    page.add(read(rs));
                }
            }
            return page;
        }
    }

    public Optional<Message> find(long id) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM MESSAGES WHERE ID = ?")) {
            ps.setQueryTimeout(database.statementTimeoutSeconds());
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Stores a message and returns it as stored: the id and CREATED_AT come from the database. */
    public Message insert(String author, String body) throws SQLException {
        try (Connection c = database.connection()) {
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setQueryTimeout(database.statementTimeoutSeconds());
                ps.setString(1, author);
                ps.setString(2, body);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new SQLException("INSERT returned no generated key");
                    }
                    id = keys.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM MESSAGES WHERE ID = ?")) {
                ps.setQueryTimeout(database.statementTimeoutSeconds());
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("message " + id + " vanished right after INSERT");
                    }
                    return read(rs);
                }
            }
        }
    }

    /** What whoami reports about the database: product and version, and one real round trip. */
    public record DatabaseInfo(String product, String version, String serverTime, long roundTripMicros) {
    }

    public DatabaseInfo info() throws SQLException {
        try (Connection c = database.connection()) {
            DatabaseMetaData meta = c.getMetaData();
            long start = System.nanoTime();
            String serverTime;
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(database.statementTimeoutSeconds());
                try (ResultSet rs = st.executeQuery("VALUES CURRENT_TIMESTAMP")) {
                    rs.next();
                    serverTime = rs.getTimestamp(1).toInstant().toString();
                }
            }
            long micros = (System.nanoTime() - start) / 1000;
            return new DatabaseInfo(meta.getDatabaseProductName(), meta.getDatabaseProductVersion(), serverTime,
                    micros);
        }
    }

    private static Message read(ResultSet rs) throws SQLException {
        Timestamp created = rs.getTimestamp(4);
        return new Message(rs.getLong(1), rs.getString(2), rs.getString(3),
                created == null ? null : created.toInstant().toString());
    }
}
