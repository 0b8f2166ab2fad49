package org.foobarstack.http;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real php-fpm (Debian package php-fpm) in the foreground, on a free loopback port, with a temporary
 * configuration: two static children, and the echo.php test script. Missing php-fpm skips the test, except in CI
 * (env CI=true or CI=1), where it fails loudly.
 */
final class PhpFpm implements AutoCloseable {

    private final Process process;
    private final InetSocketAddress address;
    private final Path script;

    private PhpFpm(Process process, InetSocketAddress address, Path script) {
        this.process = process;
        this.address = address;
        this.script = script;
    }

    static PhpFpm start(Path dir) throws IOException, InterruptedException {
        Path binary = find();
        Path script = dir.resolve("echo.php");
        try (InputStream in = PhpFpm.class.getResourceAsStream("/php/echo.php")) {
            Files.copy(in, script);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("php-fpm.conf");
        Files.writeString(conf, String.join("\n",
                "[global]",
                "error_log = " + dir.resolve("php-fpm.log"),
                "daemonize = no",
                "pid = " + dir.resolve("php-fpm.pid"),
                "[www]",
                "listen = 127.0.0.1:" + port,
                "pm = static",
                "pm.max_children = 2",
                "catch_workers_output = yes",
                ""));
        Process process = new ProcessBuilder(binary.toString(), "-F", "-R", "-n", "-y", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("php-fpm.out").toFile()).start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        // waiting on an external process: poll its port, with a deadline
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(address, 200);
                break;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException("php-fpm did not start: " + Files.readString(dir.resolve("php-fpm.out")));
                }
                Thread.sleep(50);
            }
        }
        return new PhpFpm(process, address, script);
    }

    private static Path find() throws IOException {
        Path found = null;
        try (Stream<Path> files = Files.list(Path.of("/usr/sbin"))) {
            found = files.filter(p -> p.getFileName().toString().startsWith("php-fpm"))
                    .max(Comparator.naturalOrder()).orElse(null);
        } catch (IOException e) {
            found = null;
        }
        if (found == null) {
            if (String.valueOf(System.getenv("CI")).matches("true|1")) {
                throw new IOException("php-fpm is not installed (Debian package php-fpm); CI needs it");
            }
            Assumptions.abort("php-fpm is not installed");
        }
        return found;
    }

    InetSocketAddress address() {
        return address;
    }

    Path script() {
        return script;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
