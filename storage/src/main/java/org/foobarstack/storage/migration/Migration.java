package org.foobarstack.storage.migration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One versioned schema change: a SQL file named {@code V<version>__<description>.sql}.
 *
 * <p>The file's name gives its place in the order (version 1, 2, 3 ...) and the SHA-256 of its text is
 * recorded when it is applied, so a file edited after it ran is noticed (see {@link MigrationRunner}).
 *
 * <p>The script is a list of SQL statements separated by a {@code ;} at the end of a line; lines starting
 * with {@code --} are comments. That is all the parsing there is: keep semicolons out of string literals.
 *
 * @param version     the number after {@code V}, starting at 1, no gaps
 * @param description the words after {@code __}, underscores turned into spaces
 * @param script      the file name, as recorded in the history table
 * @param sql         the file's text
 */
public record Migration(int version, String description, String script, String sql) {

    /** {@code V1__messages.sql}: version 1, description "messages". */
    static final Pattern FILE_NAME = Pattern.compile("V([1-9][0-9]*)__([A-Za-z0-9_]+)\\.sql");

    public Migration {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(sql, "sql");
        if (version < 1) {
            throw new IllegalArgumentException("migration versions start at 1, got " + version + " in " + script);
        }
    }

    /** Builds a migration from a file name of the form {@code V<n>__<words>.sql} and its text. */
    public static Migration of(String fileName, String sql) {
        Matcher m = FILE_NAME.matcher(fileName);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "migration file '" + fileName + "' does not match V<version>__<description>.sql");
        }
        return new Migration(Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), fileName, sql);
    }

    /** Whether a file name looks like a migration (other files in the folder are ignored). */
    static boolean isMigrationFile(String fileName) {
        return FILE_NAME.matcher(fileName).matches();
    }

    /** SHA-256 of the script text (line endings normalised to \n), as 64 hex digits. */
    public String checksum() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(sql.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java 17 runtime provides SHA-256", e);
        }
    }

    /** The statements of the script, comments removed, in order. */
    public List<String> statements() {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sql.split("\r?\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                addIfNotBlank(statements, current);
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        addIfNotBlank(statements, current);
        return statements;
    }

    private static void addIfNotBlank(List<String> statements, StringBuilder statement) {
        String text = statement.toString().strip();
        if (!text.isEmpty()) {
            statements.add(text);
        }
    }
}
