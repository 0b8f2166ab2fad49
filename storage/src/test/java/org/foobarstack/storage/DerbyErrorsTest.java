package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.foobarstack.storage.StorageException.Problem;
import org.junit.jupiter.api.Test;

/** The mapping from Derby's SQLStates to problems a person can act on. */
class DerbyErrorsTest {

    /** Derby's boot failures: an outer XJ040 whose chain holds the reason. */
    private static SQLException bootFailure(String innerState, String innerMessage) {
        SQLException outer = new SQLException("Failed to start database '/data/foobar'", "XJ040");
        SQLException inner = new SQLException(innerMessage, innerState);
        outer.setNextException(inner);
        outer.initCause(inner);
        return outer;
    }

    @Test
    void theInnermostStateDecidesAndTheInnermostMessageIsQuoted() {
        StorageException e = DerbyErrors.translate(
                bootFailure("XSDB6", "Another instance of Derby may have already booted the database /data/foobar."),
                "opening /data/foobar", Problem.DATABASE_ERROR);
        assertThat(e.problem()).isEqualTo(Problem.DATABASE_LOCKED);
        assertThat(e.getMessage()).contains("Another instance of Derby").contains("[XJ040, XSDB6]")
                .contains(Problem.DATABASE_LOCKED.whatToDo());
    }

    @Test
    void eachKnownStateMapsToItsProblem() {
        assertThat(translate(bootFailure("XSLA4", "Cannot write to the log"))).isEqualTo(Problem.DISK_FULL);
        assertThat(translate(bootFailure("XSDG1", "Page could not be written"))).isEqualTo(Problem.DISK_FULL);
        assertThat(translate(bootFailure("XBM0J", "Directory already exists"))).isEqualTo(Problem.NOT_A_DATABASE);
        assertThat(translate(bootFailure("XSAI2", "The conglomerate requested does not exist"))).isEqualTo(Problem.CORRUPT_DATABASE);
        assertThat(translate(new SQLException("Invalid authentication", "08004"))).isEqualTo(Problem.WRONG_CREDENTIALS);
        assertThat(translate(new SQLException("read-only", "25502"))).isEqualTo(Problem.NOT_WRITABLE);
        assertThat(translate(new SQLException("syntax error", "42X01"))).isEqualTo(Problem.DATABASE_ERROR);
    }

    @Test
    void aRefusedClientConnectionIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        try {
            DriverManager.getConnection("jdbc:derby://127.0.0.1:" + closedPort + "/foobar", "foobar_app", "x").close();
            throw new AssertionError("connected to a closed port");
        } catch (SQLException refused) {
            StorageException e = StorageException.from(refused, "listing messages");
            assertThat(e.problem()).isEqualTo(Problem.UNREACHABLE);
            assertThat(e.getMessage()).startsWith("storage: ").contains("listing messages")
                    .contains(Problem.UNREACHABLE.whatToDo());
        }
    }

    private static Problem translate(SQLException e) {
        return DerbyErrors.translate(e, "test", Problem.DATABASE_ERROR).problem();
    }
}
