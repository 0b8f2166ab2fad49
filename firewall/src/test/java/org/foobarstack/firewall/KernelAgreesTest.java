package org.foobarstack.firewall;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exported rulesets, loaded into a real kernel, decide every connection as the emulation does.
 *
 * <p>Each ruleset is loaded into a network namespace of its own ({@code unshare -rn}: a private loopback
 * interface, so the machine's own firewall is not touched), where {@code probe.py} listens on server-1's ports
 * and connects to each from several source addresses. What each client saw (an answer, "connection refused", or
 * silence) must be what {@link Firewall#check} decides for the same connection: accept, reject, drop.
 *
 * <p>Needs {@code unshare} (util-linux), {@code ip} (iproute2), {@code python3}, and {@code nft} (nftables) or
 * {@code iptables-restore} (iptables). In CI ({@code CI=true} or {@code 1}) a missing one fails the test;
 * elsewhere it is skipped, as it is where namespaces are not allowed.
 */
class KernelAgreesTest {

    private static final InetAddress SERVER_1 = address("127.0.0.11");
    private static final List<Integer> PORTS = List.of(8080, 1527, 9000, 53, 22);
    private static final List<String> SOURCES = List.of("127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.99",
            "127.0.0.50");

    @TempDir
    Path dir;

    @Test
    void nftablesDecidesAsTheEmulationDoes() throws Exception {
        String load = require("nft", "nftables") + " -f";
        for (Action policy : Action.values()) {
            Firewall firewall = Rulesets.server1(policy);
            kernelAgrees(firewall, NftablesExport.render("server-1", SERVER_1, firewall), load);
        }
    }

    @Test
    void iptablesDecidesAsTheEmulationDoes() throws Exception {
        String load = require("iptables-restore", "iptables");
        for (Action policy : Action.values()) {
            Firewall firewall = Rulesets.server1(policy);
            kernelAgrees(firewall, IptablesExport.render("server-1", SERVER_1, firewall), load);
        }
    }

    private void kernelAgrees(Firewall firewall, String ruleset, String loadCommand) throws Exception {
        require("unshare", "util-linux");
        require("ip", "iproute2");
        String python = require("python3", "python3");
        Path rules = dir.resolve("ruleset");
        Files.writeString(rules, ruleset, StandardCharsets.UTF_8);
        Path probe = dir.resolve("probe.py");
        try (InputStream in = KernelAgreesTest.class.getResourceAsStream("probe.py")) {
            Files.write(probe, in.readAllBytes());
        }
        // in the namespace: bring its loopback up, load the ruleset (a file name after the load command), probe
        String script = "ip link set lo up && " + loadCommand + " \"$1\" && exec " + python
                + " \"$2\" \"$3\" \"$4\" \"$5\"";
        List<String> command = List.of("unshare", "-rn", "sh", "-c", script, "sh", rules.toString(), probe.toString(),
                SERVER_1.getHostAddress(), join(PORTS), String.join(",", SOURCES));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the probe finished").isTrue();
        boolean ci = String.valueOf(System.getenv("CI")).matches("true|1");
        if (p.exitValue() != 0 && output.contains("unshare") && !ci) {
            Assumptions.abort("network namespaces are not allowed here: " + output.strip());
        }
        assertThat(p.exitValue()).as("the probe said:%n%s", output).isZero();

        List<String> expected = new ArrayList<>();
        for (String source : SOURCES) {
            for (int port : PORTS) {
                Verdict emulated = firewall.check(Protocol.TCP, new InetSocketAddress(source, 40000),
                        new InetSocketAddress(SERVER_1, port));
                expected.add(source + " " + port + " " + emulated.action().pastTense());
            }
        }
        assertThat(output.lines().toList()).as("default %s, with the ruleset%n%s",
                firewall.defaultAction().word(), ruleset).containsExactlyElementsOf(expected);
    }

    /** The tool's path; in CI a missing tool fails, elsewhere it skips the test. */
    private static String require(String name, String debianPackage) {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String missing = name + " is not installed (Debian package " + debianPackage + ")";
        if (String.valueOf(System.getenv("CI")).matches("true|1")) {
            throw new AssertionError(missing + "; CI needs it");
        }
        Assumptions.abort(missing);
        return null;
    }

    private static String join(List<Integer> ports) {
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
