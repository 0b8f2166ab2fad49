package org.foobarstack.storage.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Migrations read from a jar, as the stack reads them when it runs from its packaged jars. */
class ClasspathMigrationsTest {

    @TempDir
    Path dir;

    private URLClassLoader jarWithTwoMigrations() throws Exception {
        Path jar = dir.resolve("migrations.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (String folder : new String[] {"db/", "db/migration/"}) { // as the jar plugin writes folders
                out.putNextEntry(new JarEntry(folder));
                out.closeEntry();
            }
            for (String[] entry : new String[][] {
                    {"db/migration/V1__create.sql", "CREATE TABLE T (ID INT PRIMARY KEY);"},
                    {"db/migration/V2__add.sql", "ALTER TABLE T ADD COLUMN NAME VARCHAR(10);"}}) {
                out.putNextEntry(new JarEntry(entry[0]));
                out.write(entry[1].getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
    }

    @Test
    void migrationsAreReadFromAJarInVersionOrder() throws Exception {
        try (URLClassLoader loader = jarWithTwoMigrations()) {
            assertThat(ClasspathMigrations.load("db/migration", loader)).extracting(Migration::script)
                    .containsExactly("V1__create.sql", "V2__add.sql");
        }
    }

    @Test
    void stacksStartingAtOnceReadTheSameJarWithoutClosingItUnderEachOther() throws Exception {
        int threads = 8;
        try (URLClassLoader loader = jarWithTwoMigrations()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CyclicBarrier together = new CyclicBarrier(threads);
                List<Future<Integer>> loads = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    loads.add(pool.submit(() -> {
                        int read = 0;
                        for (int round = 0; round < 25; round++) {
                            together.await(30, TimeUnit.SECONDS);
                            read += ClasspathMigrations.load("db/migration", loader).size();
                        }
                        return read;
                    }));
                }
                for (Future<Integer> load : loads) {
                    assertThat(load.get(60, TimeUnit.SECONDS)).isEqualTo(50);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
