package org.foobarstack.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Creating a Derby database costs seconds (dozens of files, each synced); restarting one costs a tenth of
 * that. Tests that need a ready database but do not test its creation get a copy of one database created
 * once per test JVM, with the default credentials and every shipped migration. A Derby database directory
 * is relocatable, and a cleanly shut down one can be copied file by file.
 */
public final class TemplateDatabase {

    private static Path template;

    private TemplateDatabase() {
    }

    /**
     * Copies the template database into {@code dataDir} (which must not hold one yet) and returns
     * {@code dataDir}, ready for a {@link StorageServer} with default credentials.
     */
    public static Path copyInto(Path dataDir) {
        Path source = template();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path from : files.toList()) {
                Path to = dataDir.resolve(source.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else if (!from.getFileName().toString().endsWith(".lck")) {
                    Files.copy(from, to);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dataDir;
    }

    private static synchronized Path template() {
        if (template == null) {
            try {
                Path dir = Files.createTempDirectory("foobar-storage-template");
                try (StorageServer server = new StorageServer(StorageConfig.builder().port(0).dataDir(dir).build())) {
                    server.start();
                }
                Files.deleteIfExists(dir.resolve("derby.log"));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
                template = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return template;
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
