package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's annotated example is loaded as it stands, so the documented format cannot drift from the loader. */
class ReadmeExampleTest {

    static String firstYamlBlock(String markdown) {
        int start = markdown.indexOf("```yaml\n");
        assertThat(start).as("a ```yaml block in README.md").isNotNegative();
        int from = start + "```yaml\n".length();
        return markdown.substring(from, markdown.indexOf("\n```", from) + 1);
    }

    @Test
    void theAnnotatedExampleIsTheDistributedDesign() throws IOException {
        // surefire runs in the module's directory, where README.md is
        Topology example = TopologyLoader.load("README.md", firstYamlBlock(Files.readString(Path.of("README.md"))));
        Topology distributed = ShippedTopologies.load("distributed");

        assertThat(example.name()).isEqualTo("distributed");
        assertThat(example.domain()).isEqualTo("foobar.com");
        assertThat(example.hosts()).extracting(HostSpec::name)
                .isEqualTo(distributed.hosts().stream().map(HostSpec::name).toList());
        assertThat(example.hosts()).extracting(HostSpec::address)
                .isEqualTo(distributed.hosts().stream().map(HostSpec::address).toList());
        assertThat(example.hosts()).extracting(HostSpec::tiers)
                .isEqualTo(distributed.hosts().stream().map(HostSpec::tiers).toList());
    }

    @Test
    void theErrorExampleIsWhatTheLoaderPrints() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int errors = readme.indexOf("### Errors");
        String badFile = block(readme, readme.indexOf("```\n", errors));
        String output = block(readme, readme.indexOf("```\n", readme.indexOf("and the loader reports", errors)));

        TopologyException refused = LoaderErrorsTest.refusal("distributed.yaml", badFile);

        assertThat(refused.getMessage() + "\n").isEqualTo(output);
    }

    private static String block(String markdown, int fence) {
        int from = fence + "```\n".length();
        return markdown.substring(from, markdown.indexOf("```", from));
    }
}
