package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.foobarstack.storage.StorageException.Problem;
import org.foobarstack.storage.migration.ClasspathMigrations;
import org.foobarstack.storage.migration.Migration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * close() while the server is still starting: the start stops whatever it had started (the database, the Network
 * Server) and says so, instead of reporting a server that runs after all. A last migration calls a Java procedure
 * that holds the start at a known point until the test has closed the server (public: Derby loads it by name).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public class CloseWhileStartingTest {

    private static final CountDownLatch REACHED = new CountDownLatch(1);
    private static final CountDownLatch GO_ON = new CountDownLatch(1);

    /** Called by Derby, inside the start's migrations. */
    public static void holdTheStart() throws InterruptedException {
        REACHED.countDown();
        GO_ON.await(60, TimeUnit.SECONDS);
    }

    @TempDir
    Path data;

    @Test
    void closingDuringTheStartStopsWhatWasStarted() throws Exception {
        List<Migration> migrations = new ArrayList<>(ClasspathMigrations.load());
        int next = migrations.stream().mapToInt(Migration::version).max().orElse(0) + 1;
        migrations.add(new Migration(next, "hold the start", "V" + next + "__hold.sql",
                "CREATE PROCEDURE HOLD_THE_START() LANGUAGE JAVA PARAMETER STYLE JAVA NO SQL EXTERNAL NAME '"
                        + CloseWhileStartingTest.class.getName() + ".holdTheStart';\nCALL HOLD_THE_START()"));
        StorageConfig config = StorageConfig.builder().port(0).dataDir(data).build();
        StorageServer server = new StorageServer(config, migrations);
        InetSocketAddress planned = server.plannedAddress();

        CompletableFuture<Void> start = CompletableFuture.runAsync(server::start);
        while (!REACHED.await(100, TimeUnit.MILLISECONDS)) {
            if (start.isDone()) {
                start.join(); // the start failed before it reached the migration: say why
                throw new AssertionError("the start ended without reaching its last migration");
            }
        }
        server.close();
        GO_ON.countDown();

        Throwable failure = catchThrowable(start::join);
        assertThat(failure).hasCauseInstanceOf(StorageException.class);
        assertThat(((StorageException) failure.getCause()).problem()).isEqualTo(Problem.CLOSED_WHILE_STARTING);
        assertThat(server.running()).isFalse();
        assertThat(catchThrowable(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(planned, 1_000);
            }
        })).as("nobody listens on %s", planned).isInstanceOf(IOException.class);

        // the database was shut down too: a new server opens it (its lock released), migrations all applied
        try (StorageServer again = new StorageServer(config.toBuilder().port(0).build(), migrations)) {
            again.start();
            assertThat(again.running()).isTrue();
        }
    }
}
