package org.foobarstack.storage.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds the migration files in a classpath folder (by default {@value #DEFAULT_LOCATION}), whether the
 * classes run from a directory (tests, IDE) or from a jar (the launcher's fat jar).
 *
 * <p>Checks that versions run 1, 2, 3 ... without gaps or duplicates, so a mistyped file name fails the
 * start instead of silently skipping a change.
 */
public final class ClasspathMigrations {

    public static final String DEFAULT_LOCATION = "db/migration";

    private ClasspathMigrations() {
    }

    /** Loads the migrations under {@value #DEFAULT_LOCATION} with this class's class loader. */
    public static List<Migration> load() {
        return load(DEFAULT_LOCATION, ClasspathMigrations.class.getClassLoader());
    }

    /** Loads every {@code V<n>__*.sql} file directly inside {@code location}, sorted by version. */
    public static List<Migration> load(String location, ClassLoader loader) {
        URL url = loader.getResource(location);
        if (url == null) {
            throw new IllegalStateException("no migration folder '" + location + "' on the classpath");
        }
        List<Migration> migrations = new ArrayList<>();
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                // A folder inside a jar is read through a zip file system of this call's own, opened on the jar's
                // path: one opened by URI is shared by the whole JVM, and two stacks starting at once would close
                // it under each other.
                String spec = uri.getRawSchemeSpecificPart();
                int separator = spec.indexOf("!/");
                Path jar = Path.of(URI.create(spec.substring(0, separator)));
                try (FileSystem zip = FileSystems.newFileSystem(jar)) {
                    readFolder(zip.getPath(spec.substring(separator + 1)), migrations);
                }
            } else {
                readFolder(Path.of(uri), migrations);
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad migration folder URL " + url, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migrations from " + url, e);
        }
        migrations.sort(Comparator.comparingInt(Migration::version));
        requireContiguous(migrations, location);
        return List.copyOf(migrations);
    }

    private static void readFolder(Path folder, List<Migration> into) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                String name = file.getFileName().toString().replace("/", "");
                if (Migration.isMigrationFile(name)) {
                    try (InputStream in = Files.newInputStream(file)) {
                        into.add(Migration.of(name, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                    }
                }
            }
        }
    }

    static void requireContiguous(List<Migration> sorted, String location) {
        for (int i = 0; i < sorted.size(); i++) {
            int expected = i + 1;
            if (sorted.get(i).version() != expected) {
                throw new IllegalStateException("migrations in '" + location + "' must be numbered 1, 2, 3 ... "
                        + "without gaps or duplicates; expected V" + expected + " but found " + sorted.get(i).script());
            }
        }
    }
}
