package org.foobarstack.storage;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.foobarstack.storage.StorageException.Problem;

/**
 * Turns Derby's SQLExceptions into a {@link StorageException} that names the problem and the remedy.
 *
 * <p>Derby reports a failed boot as a chain: an outer {@code XJ040 Failed to start database} whose
 * {@code getNextException()}/{@code getCause()} chain holds the real reason. We collect every SQLState in
 * the chain and decide on the most specific one.
 */
final class DerbyErrors {

    /** The client driver could not connect: nothing listens there (connection refused) or it timed out. */
    static final String CONNECTION_REFUSED = "08001";
    /** Authentication failed (wrong user or password). */
    static final String INVALID_AUTHORIZATION = "08004";
    /** Another JVM has booted this database (Derby's db.lck file is held). */
    static final String ANOTHER_ENGINE_BOOTED = "XSDB6";
    /** The transaction log could not be written: disk full, read-only file system or failing media. */
    static final String LOG_WRITE_FAILED = "XSLA4";
    /** A data page could not be written: disk full or file size limit. */
    static final String PAGE_WRITE_FAILED = "XSDG1";
    /** Creating a database in a directory that already exists but holds no database. */
    static final String DIRECTORY_EXISTS = "XBM0J";
    /** Database not found (without create=true). */
    static final String DATABASE_NOT_FOUND = "XJ004";
    /** Normal answer to a single-database shutdown request. */
    static final String DATABASE_SHUT_DOWN = "08006";
    /** "Failed to start database": the wrapper around every boot failure. */
    static final String FAILED_TO_START = "XJ040";
    /** A data change was refused because the database was booted read-only (e.g. unwritable files). */
    static final String READ_ONLY_DATABASE = "25502";

    private DerbyErrors() {
    }

    /** Every SQLState in the exception's next-exception and cause chains, outermost first. */
    static List<String> sqlStates(Throwable error) {
        Set<String> states = new LinkedHashSet<>();
        collect(error, states, 0);
        return new ArrayList<>(states);
    }

    /** Bounded depth: a defensive limit against cyclic cause chains. */
    private static final int MAX_CHAIN_DEPTH = 32;

    private static void collect(Throwable error, Set<String> states, int depth) {
        if (error == null || depth > MAX_CHAIN_DEPTH) {
            return;
        }
        if (error instanceof SQLException sql) {
            if (sql.getSQLState() != null) {
                states.add(sql.getSQLState());
            }
            collect(sql.getNextException(), states, depth + 1);
        }
        if (error.getCause() != error) {
            collect(error.getCause(), states, depth + 1);
        }
    }

    /** The innermost message: usually the real reason, where the outer one only says "failed". */
    static String rootMessage(Throwable error) {
        Throwable t = error;
        int depth = 0;
        String message = error.getMessage();
        while (t != null && depth++ < MAX_CHAIN_DEPTH) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
            Throwable next = t instanceof SQLException sql && sql.getNextException() != null
                    ? sql.getNextException() : t.getCause();
            t = next == t ? null : next;
        }
        return message;
    }

    /**
     * Translates an error met while opening or using the database at {@code where}.
     *
     * @param fallback the problem to report when no SQLState is specific enough
     */
    static StorageException translate(SQLException error, String where, Problem fallback) {
        List<String> states = sqlStates(error);
        String detail = where + ": " + rootMessage(error) + " (SQLStates " + states + ")";
        Problem problem = fallback;
        if (states.contains(ANOTHER_ENGINE_BOOTED)) {
            problem = Problem.DATABASE_LOCKED;
        } else if (states.contains(CONNECTION_REFUSED)) {
            problem = Problem.UNREACHABLE;
        } else if (states.contains(INVALID_AUTHORIZATION)) {
            problem = Problem.WRONG_CREDENTIALS;
        } else if (states.contains(LOG_WRITE_FAILED) || states.contains(PAGE_WRITE_FAILED)) {
            problem = Problem.DISK_FULL;
        } else if (states.contains(READ_ONLY_DATABASE)) {
            problem = Problem.NOT_WRITABLE;
        } else if (states.contains(DIRECTORY_EXISTS)) {
            problem = Problem.NOT_A_DATABASE;
        } else if (states.contains(FAILED_TO_START)) {
            problem = Problem.CORRUPT_DATABASE;
        }
        return new StorageException(problem, detail, error);
    }
}
