package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code analyze}: a shipped design's findings as text and JSON, and a broken file's errors by line. */
class AnalyzeCommandTest {

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
    void theJsonListsEachFindingWithItsKindSubjectExplanationAndCommand() throws Exception {
        Run run = run("analyze", "distributed", "--json");

        assertThat(run.exit()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("topology").asText()).isEqualTo("distributed");
        assertThat(json.path("findings").size()).isEqualTo(13);
        JsonNode first = json.path("findings").get(0);
        assertThat(first.path("kind").asText()).isEqualTo("spof");
        assertThat(first.path("subject").asText()).isEqualTo("the name server (ns1)");
        assertThat(first.path("explanation").asText()).contains("nobody can find the site");
        assertThat(first.path("demonstrate").asText()).startsWith("foobar-stack ctl kill ns1");
    }

    @Test
    void theTextSaysHowToSeeEachFinding() {
        Run run = run("analyze", "simple");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("simple: 9 findings").contains("[scaling] server-1", "see it: ");
    }

    @Test
    void aBrokenFileIsRefusedWithItsLineNumbers() throws Exception {
        Path file = dir.resolve("mine.yaml");
        Files.writeString(file, "name: mine\nhosts:\n  s: { address: 127.0.0.11, tiers: { wbe: {} } }\n");

        Run run = run("analyze", file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("mine.yaml:3:38: unknown role \"wbe\"");
    }
}
