package org.foobarstack.firewall;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a real packet filter's own checker on an exported ruleset: {@code nft -c -f FILE} or
 * {@code iptables-restore --test FILE}. Both parse the file and, without changing anything, hand it to the kernel
 * as a dry run, so a ruleset that passes is one the kernel would load.
 *
 * <p>Both need the network administration capability. As root they run as they are; otherwise they run inside
 * {@code unshare -rn}, a new user and network namespace in which the caller is root of a network of its own.
 *
 * <p>In CI ({@code CI=true} or {@code 1}) a missing tool fails the test; elsewhere the test is skipped.
 */
final class PacketFilterTool {

    private final Path executable;

    private PacketFilterTool(Path executable) {
        this.executable = executable;
    }

    /** Finds {@code name} in /usr/sbin or /sbin, from the Debian package {@code debianPackage}. */
    static PacketFilterTool find(String name, String debianPackage) {
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return new PacketFilterTool(candidate);
            }
        }
        String missing = name + " is not installed (Debian package " + debianPackage + ")";
        if (String.valueOf(System.getenv("CI")).matches("true|1")) {
            throw new AssertionError(missing + "; CI needs it");
        }
        Assumptions.abort(missing);
        return null; // not reached
    }

    /** Runs the tool with {@code args}; asserts that it accepted the file, showing what it said if not. */
    void accepts(Path file, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toString()));
        command.addAll(List.of(args));
        command.add(file.toString());
        Run run = run(command);
        if (run.exitCode() != 0 && run.output().contains("Operation not permitted")) {
            List<String> inNamespace = new ArrayList<>(List.of("unshare", "-rn"));
            inNamespace.addAll(command);
            run = run(inNamespace);
        }
        assertThat(run.exitCode())
                .as("%s said:%n%s%nabout:%n%s", String.join(" ", command), run.output(),
                        Files.readString(file, StandardCharsets.UTF_8))
                .isZero();
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 30 s");
        }
        return new Run(p.exitValue(), output);
    }
}
