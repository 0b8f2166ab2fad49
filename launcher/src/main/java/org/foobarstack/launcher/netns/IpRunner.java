package org.foobarstack.launcher.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the plan's commands ({@code ip}, {@code nft}, {@code sysctl}) as separate programs, the way an operator would
 * at a root shell, and echoes each one first ({@code # ip netns add fbs-ns1}) so that the learner sees what was done
 * and can do it by hand. No shell is involved: each command is its words, so nothing in them is expanded.
 *
 * <p>A command that exits non-zero fails with its own words on standard error ("RTNETLINK answers: File exists"),
 * which say more than anything this class could add.
 */
public final class IpRunner {

    /** Where programs such as ip live on Debian and the rest, also when this process's PATH lacks the sbin folders. */
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
            "/usr/bin", "/sbin", "/bin");
    private static final long TIMEOUT_SECONDS = 30;

    private final Consumer<String> echo;

    /** @param echo where each command is shown before it runs; {@code line -> {}} for none */
    public IpRunner(Consumer<String> echo) {
        this.echo = echo;
    }

    public static IpRunner echoingTo(PrintStream out) {
        return new IpRunner(line -> {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        });
    }

    /** Runs one step, echoed; returns what it printed. */
    public String run(Step step) {
        echo.accept("# " + step);
        return execute(step.command(), step.input());
    }

    /** Runs a command that only looks (ip netns list, ip -o link show), without echoing it; returns its output. */
    public String query(List<String> command) {
        return execute(command, null);
    }

    private String execute(List<String> command, String input) {
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, find(command.get(0)).map(Path::toString).orElse(command.get(0)));
        Process process;
        try {
            process = new ProcessBuilder(resolved).start();
        } catch (IOException e) {
            throw new CommandFailed(command, -1, "could not run " + command.get(0) + ": " + e.getMessage());
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try (OutputStream stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the command did not read all of it: its exit code and standard error say why
        }
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CommandFailed(command, -1, "still running after " + TIMEOUT_SECONDS + " s: killed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new CommandFailed(command, -1, "interrupted");
        }
        if (process.exitValue() != 0) {
            throw new CommandFailed(command, process.exitValue(), err.join().strip());
        }
        return out.join();
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The program's path: on PATH, or in the system's usual folders; empty when it is not installed. */
    public static Optional<Path> find(String program) {
        Set<String> directories = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(":")));
        }
        directories.addAll(SYSTEM_DIRECTORIES);
        return directories.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, program))
                .filter(Files::isExecutable).findFirst();
    }

    /**
     * Whether this process runs as root (effective user id 0, the second number of {@code Uid:} in
     * /proc/self/status, proc(5)): creating namespaces and interfaces needs CAP_NET_ADMIN and CAP_SYS_ADMIN.
     */
    public static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).trim().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** A command exited non-zero, or could not run at all. */
    public static final class CommandFailed extends RuntimeException {
        private final List<String> command;

        CommandFailed(List<String> command, int exit, String stderr) {
            super(Step.of(command).line() + (exit >= 0 ? " failed (exit " + exit + ")" : " failed")
                    + (stderr.isEmpty() ? "" : ": " + stderr));
            this.command = List.copyOf(command);
        }

        public List<String> command() {
            return command;
        }
    }
}
