package org.foobarstack.launcher.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.foobarstack.launcher.Main;
import org.foobarstack.topology.ShippedTopologies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code export compose} and {@code export kubernetes} on the command line: where they write, and what they refuse. */
class ExportCommandTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void composeWritesToStandardOutput() {
        Run run = run("export", "compose", "distributed");

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(ExportedYaml.document(run.out()).path("services").has("lb-1")).isTrue();
    }

    @Test
    void dashOWritesTheFileAndNothingToStandardOutput() throws Exception {
        Path file = dir.resolve("compose.yaml");

        Run run = run("export", "compose", "distributed", "-o", file.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(Files.readString(file)).isEqualTo(run("export", "compose", "distributed").out());
    }

    @Test
    void kubernetesDashOWritesTheManifests() throws Exception {
        Path file = dir.resolve("stack.yaml");

        Run run = run("export", "kubernetes", "scaled", "--output", file.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(ExportedYaml.documents(Files.readString(file))).hasSize(2 + 2 * 10 + 1);
    }

    @Test
    void anUnknownDesignIsRefusedWithTheShippedNames() {
        for (String format : new String[] {"compose", "kubernetes"}) {
            Run run = run("export", format, "nosuch");

            assertThat(run.exit()).as(format).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("foobar-stack: nosuch")
                    .contains("neither a shipped topology (" + String.join(", ", ShippedTopologies.names()));
        }
    }

    @Test
    void anotherImageAndNetworkAreWrittenIntoEveryService() {
        Run run = run("export", "compose", "simple", "--image", "registry.example/foobar-stack:0.1.0",
                "--network", "198.18.7.0");

        assertThat(run.exit()).isZero();
        var server = ExportedYaml.document(run.out()).path("services").path("server-1");
        assertThat(server.path("image").asText()).isEqualTo("registry.example/foobar-stack:0.1.0");
        assertThat(server.path("networks").path("foobar").path("ipv4_address").asText()).isEqualTo("198.18.7.1");
        assertThat(ExportedYaml.strings(server.path("command"))).endsWith("--network", "198.18.7.0");
    }

    @Test
    void aNetworkThatIsNotASlash24sFirstAddressIsRefused() {
        Run compose = run("export", "compose", "simple", "--network", "198.18.0.5");
        Run kubernetes = run("export", "kubernetes", "simple", "--service-network", "10.96");

        assertThat(compose.exit()).isEqualTo(2);
        assertThat(compose.err()).contains("--network: not the first address of a /24", "198.18.0.5");
        assertThat(kubernetes.exit()).isEqualTo(2);
        assertThat(kubernetes.err()).contains("--service-network: not the first address of a /24");
    }

    @Test
    void aTopologyFileIsExportedWithItsOwnText() throws Exception {
        Path file = dir.resolve("mine.yaml");
        String yaml = "# my own\nname: mine\nhosts:\n  web-1: { address: 127.0.0.21, tiers: { web: { app: app-1 } } }\n"
                + "  app-1: { address: 127.0.0.31, tiers: { app: { db: db-1 } } }\n"
                + "  db-1: { address: 127.0.0.41, tiers: { db: {} } }\n";
        Files.writeString(file, yaml);

        Run run = run("export", "kubernetes", file.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(ExportedYaml.documents(run.out()).get(1).path("data").path("topology.yaml").asText())
                .isEqualTo(yaml);
    }

    @Test
    void aHostOnABroadcastAddressIsRefusedByName() throws Exception {
        Path file = dir.resolve("edge.yaml");
        Files.writeString(file, "name: edge\nhosts:\n  web-1: { address: 127.0.0.255, tiers: { web: {}, app: {},"
                + " db: {} } }\n");

        Run run = run("export", "compose", file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("web-1's address 127.0.0.255 ends in .255");
    }

    @Test
    void twoHostsThatWouldShareAnAddressOnTheNetworkAreRefused() throws Exception {
        Path file = dir.resolve("twins.yaml");
        Files.writeString(file, "name: twins\nhosts:\n  web-1: { address: 127.0.0.11, tiers: { web: {}, app: {},"
                + " db: {} } }\n  web-2: { address: 127.0.1.11, tiers: { web: {}, app: {}, db: {} } }\n");

        Run run = run("export", "kubernetes", file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("web-2 and web-1 have the same address 10.96.18.11");
    }
}
