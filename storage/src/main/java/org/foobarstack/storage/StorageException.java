package org.foobarstack.storage;

/**
 * Thrown when the storage tier cannot do what was asked. Every instance carries a {@link Problem} that says
 * what went wrong and what the person at the keyboard should do about it, so the message printed by the
 * launcher is enough to fix the situation without reading a stack trace.
 */
public final class StorageException extends RuntimeException {

    /**
     * The failures a learner can actually run into, each with the Derby SQLState (or OS condition) that
     * reveals it and the remedy. The SQLStates are listed in the Derby Reference Manual, "SQL error messages
     * and exceptions".
     */
    public enum Problem {
        PORT_TAKEN("bind(2) EADDRINUSE",
                "Another process already listens on this address and port.",
                "Stop that process, or start storage on another port (--storage-port, or 0 to pick a free one)."),
        ADDRESS_UNUSABLE("bind(2) EADDRNOTAVAIL / unknown host",
                "The bind address is not an address of this machine (or cannot be resolved).",
                "Bind to an address this machine has, e.g. 127.0.0.1 (on Linux every 127.x.y.z works)."),
        UNREACHABLE("Derby client SQLState 08001",
                "Nothing answers on the storage tier's address and port.",
                "Start the storage tier (or the whole stack) and check the host and port in the JDBC URL."),
        DATABASE_LOCKED("Derby SQLState XSDB6",
                "Another Derby engine (another JVM) has this database open; Derby allows one engine per database directory.",
                "Stop the other process that uses this data directory (look for a running foobar-stack or ij), "
                        + "or point this one at another --data-dir."),
        WRONG_CREDENTIALS("Derby SQLState 08004",
                "The database refused the user name or password.",
                "Use the credentials the database was created with (see storage/README.md, 'Credentials'), "
                        + "or change them with SYSCS_UTIL.SYSCS_RESET_PASSWORD as the owner."),
        NOT_WRITABLE("file system",
                "The data directory cannot be written.",
                "Fix the directory's permissions or choose another --data-dir; Derby must write its transaction log there."),
        DISK_FULL("file system / Derby SQLState XSLA4, XSDG1",
                "The disk holding the data directory is full (or nearly so).",
                "Free space on that file system or move --data-dir to one with room; no acknowledged write was lost."),
        NOT_A_DATABASE("Derby service.properties missing",
                "The database directory exists but holds no Derby database (a foreign or unrelated directory).",
                "Point --data-dir at an empty directory or at one created by foobar-stack storage; move the other files away."),
        CORRUPT_DATABASE("Derby SQLState XJ040 with a storage-level cause",
                "Derby found the database but could not boot it: its files are damaged or from an incompatible version.",
                "Restore the last backup (the 'restore' subcommand, see storage/README.md) or move the directory away to start empty."),
        DATABASE_NEWER_THAN_CODE("schema history",
                "The database has schema migrations this program does not know: it was written by a newer version.",
                "Run the newer version of foobar-stack, or restore a backup made by this version."),
        MIGRATION_CHANGED("schema history checksum",
                "A migration already applied to this database differs from the file shipped in this program.",
                "Applied migrations must never be edited: put the change in a new V<n>__*.sql file instead."),
        MIGRATION_FAILED("SQL error during migration",
                "A schema migration failed; it was rolled back and the database is at the previous version.",
                "Read the SQL error below and fix the migration file."),
        UNSAFE_DURABILITY("derby.system.durability=test",
                "The JVM is configured to skip syncing Derby's log at commit, so acknowledged writes could be lost.",
                "Remove -Dderby.system.durability=test from the command line."),
        SERVER_DID_NOT_START("Derby Network Server ping",
                "The Derby Network Server did not answer within the start timeout.",
                "Read derby.log in the data directory for the cause."),
        CLOSED_WHILE_STARTING("start-up",
                "The server was closed while it was still starting; what it had started is stopped again.",
                "Nothing to do: a server that is closed stays closed. Create a new one to start again."),
        BACKUP_FAILED("SYSCS_UTIL.SYSCS_BACKUP_DATABASE",
                "The online backup failed.",
                "Check that the backup directory is writable and has room for a full copy of the database."),
        RESTORE_FAILED("Derby restoreFrom",
                "Restoring from the backup failed.",
                "Check that the path names a backup directory (it contains service.properties) and that no server is "
                        + "running on the target data directory."),
        DATABASE_ERROR("Derby SQLException",
                "Derby reported an error while preparing or using the database.",
                "Read the SQL error below and derby.log in the data directory."),
        REPLICATION_UNSUPPORTED_TABLE("replication set-up",
                "A table of the application cannot be logged for replicas.",
                "Give the table a primary key of one integer column (the guestbook's tables have ID)."),
        FENCED("replication role",
                "This database was a primary, and another database was promoted in its place: it may hold writes "
                        + "the new primary never received.",
                "Re-attach it as a replica from a fresh copy of the new primary ('foobar-stack ctl reattach HOST'), "
                        + "which moves this copy aside first."),
        REPLICATION_FAILED("replication",
                "Replication could not be set up or changed.",
                "Read the message below; the database itself is unchanged."),
        NOT_RUNNING("lifecycle",
                "The storage server is not running.",
                "Call start() first, and do not use a server after close().");

        private final String source;
        private final String meaning;
        private final String whatToDo;

        Problem(String source, String meaning, String whatToDo) {
            this.source = source;
            this.meaning = meaning;
            this.whatToDo = whatToDo;
        }

        /** Where the condition is detected (a Derby SQLState, an OS error...). */
        public String source() {
            return source;
        }

        public String meaning() {
            return meaning;
        }

        public String whatToDo() {
            return whatToDo;
        }
    }

    private final Problem problem;

    public StorageException(Problem problem, String detail) {
        this(problem, detail, null);
    }

    public StorageException(Problem problem, String detail, Throwable cause) {
        super(format(problem, detail), cause);
        this.problem = problem;
    }

    /**
     * For callers of the storage tier (the app tier, tools): names the problem behind a SQLException from
     * Derby, with what to do, e.g. UNREACHABLE for a refused connection or WRONG_CREDENTIALS for 08004.
     *
     * @param where what was being done, for the message ("listing messages", "connecting to ...")
     */
    public static StorageException from(java.sql.SQLException error, String where) {
        return DerbyErrors.translate(error, where, Problem.DATABASE_ERROR);
    }

    public Problem problem() {
        return problem;
    }

    private static String format(Problem problem, String detail) {
        return "storage: " + problem.meaning() + " [" + problem + ", " + problem.source() + "] " + detail
                + " -> What to do: " + problem.whatToDo();
    }
}
