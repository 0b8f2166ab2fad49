package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Network Server says while the tier starts: that it is ready, and not the "Could not connect ...
 * Connection refused" a ping writes when it asks before the listener is up, which reads as a failure.
 */
class ConsoleAtStartTest {

    @TempDir
    Path dir;

    @Test
    void aStartSaysReadyAndNothingAboutRefusedConnections() {
        StorageConfig config = StorageConfig.builder().port(0)
                .dataDir(TemplateDatabase.copyInto(dir.resolve("storage"))).build();
        try (StorageServer server = new StorageServer(config)) {
            server.start();

            assertThat(server.consoleLines())
                    .anyMatch(line -> line.contains("started and ready to accept connections on port "
                            + server.address().getPort()))
                    .noneMatch(line -> line.contains("Could not connect"));
        }
    }
}
