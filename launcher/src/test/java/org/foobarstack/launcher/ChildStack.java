package org.foobarstack.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole stack in a child JVM, started with the launcher's own {@code run} command on free ports, as a user
 * would start it: what tests use when the stack must be a separate process (killed with SIGKILL, or holding its
 * database against another process).
 */
final class ChildStack implements AutoCloseable {

    private static final Pattern WEB = Pattern.compile("web server\\s+http://([0-9.]+):(\\d+)/");
    private static final Pattern DATABASE = Pattern.compile("database\\s+([0-9.]+):(\\d+)");
    private static final Pattern DNS = Pattern.compile("DNS server\\s+([0-9.]+):(\\d+)");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> up = new CompletableFuture<>();
    private volatile InetSocketAddress web;
    private volatile InetSocketAddress database;
    private volatile InetSocketAddress dns;

    private ChildStack(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "child-stack-output");
        reader.setDaemon(true);
        reader.start();
    }

    static ChildStack start(Path dataDir, String... moreRunFlags) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", classpath, Main.class.getName(), "run",
                "--dns-port", "0", "--http-port", "0", "--https-port", "0", "--app-port", "0", "--db-port", "0",
                "--admin-port", "0",
                "--data-dir", dataDir.toString()));
        command.addAll(List.of(moreRunFlags));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        ChildStack child = new ChildStack(process);
        try {
            child.up.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            child.close();
            throw new AssertionError("the child stack did not come up; it printed:\n" + child.output(), e);
        }
        return child;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
                Matcher m = WEB.matcher(line);
                if (m.find()) {
                    web = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
                }
                m = DNS.matcher(line);
                if (m.find()) {
                    dns = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
                }
                m = DATABASE.matcher(line);
                if (m.find()) {
                    database = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
                }
                if (line.startsWith("Press Ctrl+C")) {
                    up.complete(null);
                }
            }
        } catch (IOException e) {
            up.completeExceptionally(e);
        }
        up.completeExceptionally(new IllegalStateException("the child stack exited"));
    }

    InetSocketAddress web() {
        return web;
    }

    InetSocketAddress database() {
        return database;
    }

    /** The DNS server's address, as the banner shows it (UDP and TCP). */
    InetSocketAddress dns() {
        return dns;
    }

    String output() {
        return String.join("\n", output);
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed; only what reached the disk remains. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, the way Ctrl+C or a service manager stops the stack. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
