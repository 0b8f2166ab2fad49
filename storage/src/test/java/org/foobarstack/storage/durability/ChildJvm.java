package org.foobarstack.storage.durability;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a class's main method in a new JVM with this test run's classpath. */
public final class ChildJvm {

    private ChildJvm() {
    }

    public static Process start(Class<?> mainClass, Path stderrFile, String... args) throws IOException {
        String javaHome = System.getProperty("java.home");
        // Surefire runs tests from a manifest-only jar; it publishes the real test classpath in this property.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(javaHome, "bin", "java").toString());
        command.add("-cp");
        command.add(classpath);
        command.add("-XX:+UseSerialGC");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectError(stderrFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
    }
}
