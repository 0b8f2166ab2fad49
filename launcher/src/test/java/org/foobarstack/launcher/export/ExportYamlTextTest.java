package org.foobarstack.launcher.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.launcher.export.ExportedYaml.document;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The scalars and texts of the exported files come back from a YAML reader as the strings that were written. */
class ExportYamlTextTest {

    @ParameterizedTest
    @ValueSource(strings = {"ns1", "198.18.0.2", "foobar-stack:latest", "/etc/foobar-stack/topology.yaml",
        "--network", "yes", "No", "on", "y", "null", "~", "1527", "1.5", "-1", "1e3", "0x1f", "1:20", "a: b",
        "", "-", "it's", "say \"hi\"", "back\\slash", "#comment", "*alias", "&anchor", "[x]", "{x}", "trail:",
        "café", "tab\there"})
    void aScalarReadsBackAsTheSameString(String text) {
        assertThat(document("key: " + YamlText.scalar(text)).path("key").isTextual()).as(text).isTrue();
        assertThat(document("key: " + YamlText.scalar(text)).path("key").asText()).isEqualTo(text);
        assertThat(document("key: [" + YamlText.scalar(text) + "]").path("key").get(0).asText()).isEqualTo(text);
    }

    @Test
    void namesAndAddressesAreWrittenBareAndWordsYaml11TakesForBooleansAreQuoted() {
        assertThat(YamlText.scalar("server-1")).isEqualTo("server-1");
        assertThat(YamlText.scalar("198.18.0.0/24")).isEqualTo("198.18.0.0/24");
        assertThat(YamlText.scalar("on")).isEqualTo("\"on\"");
        assertThat(YamlText.scalar("8080")).isEqualTo("\"8080\"");
    }

    @Test
    void aTextReadsBackLineForLineWhateverItsEnd() {
        for (String text : List.of("a\nb\n", "a\nb", "a\n\n\n", "a\n\n  indented\n\n# comment\n", "x:\n  - y\n",
                "tab\tinside\n", "trailing spaces   \n   \nnext\n", "---\n...\n", "\ttab first\n", "é ü ✓\n",
                " space first\n", "\nblank first\n", "cr\r\nlf\n", "bell\u0007\n", "$HOME\n")) {
            String yaml = "top:\n  content:" + YamlText.block(text, 2) + "\nafter: 1\n";
            assertThat(document(yaml).path("top").path("content").asText()).as(text).isEqualTo(text);
            assertThat(document(yaml).path("after").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aTextIsShownAsALiteralBlockWhenOneCanCarryIt() {
        assertThat(YamlText.block("name: simple\n", 0)).isEqualTo(" |\n  name: simple");
        assertThat(YamlText.block("name: simple", 0)).isEqualTo(" |-\n  name: simple");
        assertThat(YamlText.block(" indented first\n", 0)).isEqualTo(" \" indented first\\n\"");
    }
}
