package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.foobarstack.admin.HostAction;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HAProxy standing in for the secured design's balancer, from {@code export haproxy}: the configuration is valid,
 * and with lb-1 stopped, HAProxy on its address serves the site over HTTPS with the same certificate, redirects plain
 * HTTP, and reaches the web servers through their firewalls (its connections leave from lb-1's address).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HaproxyStandInTest {

    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final Path CURL = Path.of("/usr/bin/curl");

    @TempDir
    Path data;

    static void requireTool(Path tool) {
        if (!Files.isExecutable(tool)) {
            if (String.valueOf(System.getenv("CI")).matches("true|1")) {
                throw new AssertionError(tool + " is missing: CI installs it (.ci/run)");
            }
            assumeTrue(false, tool + " is not installed");
        }
    }

    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s: %s", command, output).isZero();
        return output;
    }

    @Test
    void haproxyServesTheSecuredDesignInPlaceOfItsBalancer() throws Exception {
        requireTool(HAPROXY);
        requireTool(CURL);
        Topology design = ShippedTopologies.load("secured").relocated(90);
        try (Stack stack = new Stack(StackConfig.builder().topology(design).adminPort(0).dataDir(data).build())) {
            stack.start(line -> { });
            LbTierRuntime lb = (LbTierRuntime) stack.context().tiers(Role.LB).get(0);
            Path ca = lb.caCertificate();
            Path tls = ca.getParent();
            Path crt = tls.resolve("haproxy.pem");
            Files.writeString(crt, Files.readString(tls.resolve("server.pem")) + Files.readString(tls.resolve("server-key.pem")));
            Path cfg = data.resolve("haproxy.cfg");
            Files.writeString(cfg, HaproxyConfig.render(design, design.host("lb-1").orElseThrow(), crt.toString(),
                    host -> "unused"));
            run(List.of(HAPROXY.toString(), "-c", "-f", cfg.toString()));

            stack.act("lb-1", HostAction.KILL); // HAProxy takes its address and ports
            Process haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(data.resolve("haproxy.log").toFile()).start();
            try {
                String https = "";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (System.nanoTime() < deadline && !https.contains("HTTP/1.1 200")) {
                    Process curl = new ProcessBuilder(CURL.toString(), "-si", "--max-time", "2", "--cacert",
                            ca.toString(), "--resolve", "www.foobar.com:8443:127.0.90.10",
                            "https://www.foobar.com:8443/api/messages").redirectErrorStream(true).start();
                    curl.waitFor(5, TimeUnit.SECONDS);
                    https = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (!https.contains("HTTP/1.1 200")) {
                        Thread.sleep(200); // HAProxy's servers come up after their first checks
                    }
                }
                assertThat(https).as(Files.readString(data.resolve("haproxy.log"))).contains("HTTP/1.1 200")
                        .containsIgnoringCase("strict-transport-security: max-age=31536000")
                        .containsIgnoringCase("x-app-version: v1");
                String plain = run(List.of(CURL.toString(), "-si", "--max-time", "2", "--resolve",
                        "www.foobar.com:8080:127.0.90.10", "http://www.foobar.com:8080/"));
                assertThat(plain).contains("301").contains("https://www.foobar.com:8443/");
            } finally {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
