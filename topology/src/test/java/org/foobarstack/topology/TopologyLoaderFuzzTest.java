package org.foobarstack.topology;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link TopologyLoader#load(String, String)} with any text. Its contract: a {@link Topology}, or a
 * {@link TopologyException} listing at least one problem, each placed in the file (a line and column within the
 * text, or line 0 for a problem about the file as a whole) and named after the source. Any other exception, or a
 * problem placed outside the text, is a finding.
 *
 * <p>The input bytes are read as UTF-8, as {@link TopologyLoader#load(java.nio.file.Path)} reads a file (bytes that
 * are not UTF-8 become U+FFFD). The corpus starts from the shipped topologies and a few files with mistakes.
 */
class TopologyLoaderFuzzTest {

    private static final String SOURCE = "fuzz.yaml";

    @FuzzTest(maxDuration = "5m")
    void anyText(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        Topology topology;
        try {
            topology = TopologyLoader.load(SOURCE, yaml);
        } catch (TopologyException e) {
            checkProblems(e, yaml);
            return;
        }
        if (topology == null) {
            throw new AssertionError("load returned null for " + yaml);
        }
        // a topology that loaded can be described, as the launcher does before it starts anything
        if (topology.toString() == null) {
            throw new AssertionError("no description");
        }
    }

    /** Line breaks as YAML 1.1 counts them (§5.4): CR LF, CR, LF, and NEL, LS and PS too. */
    private static long lineBreaks(String text) {
        long breaks = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                continue;
            }
            if (c == '\r' || c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                breaks++;
            }
        }
        return breaks;
    }

    private static void checkProblems(TopologyException e, String yaml) {
        if (e.problems().isEmpty()) {
            throw new AssertionError("a TopologyException without problems", e);
        }
        long lines = lineBreaks(yaml) + 1;
        for (Problem problem : e.problems()) {
            if (!problem.toString().startsWith(SOURCE + ":")) {
                throw new AssertionError("a problem that does not name its file: " + problem, e);
            }
            if (problem.line() < 0 || problem.line() > lines) {
                throw new AssertionError("a problem at line " + problem.line() + " of a text of " + lines
                        + " lines: " + problem, e);
            }
        }
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("a TopologyException without a message", e);
        }
    }
}
