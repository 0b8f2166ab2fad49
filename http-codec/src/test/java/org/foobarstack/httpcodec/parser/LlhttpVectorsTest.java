package org.foobarstack.httpcodec.parser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the raw requests of llhttp's test suite (Node.js's HTTP parser; copied with its licence into
 * src/test/resources/llhttp) through our parser. Every case must either agree with llhttp's outcome or be listed
 * in llhttp-differences.tsv with the rule that makes our answer different; that table is the one in the module
 * README. A listed case that starts agreeing fails too, so the table cannot go stale. A listed case must also
 * give the answer its "ours" column names. Agreeing on "reject" is not enough either: every case llhttp rejects
 * is listed in llhttp-rejections.tsv with the status and violation we answer, so a case refused for another
 * reason than the one it was written for (Host missing before a broken chunk is reached) shows, and is replayed
 * mended to reach the rule it was written for.
 *
 * <p>Outcomes: "reject" when the parser emits an {@link HttpRequestError}; "accept" otherwise (a complete
 * request, or a prefix still waiting for bytes). llhttp's "pause-upgrade" (it hands the connection to another
 * protocol) counts as accept: the head was parsed; we then ignore Upgrade (RFC 9110 §7.8 lets a server).
 */
class LlhttpVectorsTest {

    @Test
    void everyVectorAgreesWithLlhttpOrIsADocumentedDifference() throws IOException {
        JsonNode vectors;
        try (InputStream in = getClass().getResourceAsStream("/llhttp/llhttp-request-vectors.json")) {
            vectors = new ObjectMapper().readTree(in);
        }
        Map<Integer, String> documented = readDocumentedDifferences();
        Map<Integer, String> actual = new TreeMap<>();
        int agreeing = 0;
        for (int i = 0; i < vectors.size(); i++) {
            JsonNode v = vectors.get(i);
            String expected = v.get("outcome").asText().equals("reject") ? "reject" : "accept";
            byte[] raw = Base64.getDecoder().decode(v.get("raw_b64").asText());
            Outcome ours = replay(raw);
            if (ours.verdict.equals(expected)) {
                agreeing++;
            } else {
                actual.put(i, v.get("name").asText() + "\tllhttp " + expected + "\tours " + ours.verdict
                        + (ours.error == null ? "" : " (" + ours.error.violation().name() + ", "
                        + ours.error.status() + ")"));
            }
        }
        assertThat(actual.keySet())
                .as("differences from llhttp; each must be listed with its rule in llhttp-differences.tsv:%n%s",
                        String.join("\n", actual.entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue())
                                .toList()))
                .isEqualTo(documented.keySet());
        assertThat(agreeing + actual.size()).isEqualTo(vectors.size());
        Map<Integer, String> answers = new TreeMap<>();
        for (int i : documented.keySet()) {
            String answer = replay(Base64.getDecoder().decode(vectors.get(i).get("raw_b64").asText())).answer();
            answers.put(i, answer.equals("accept") ? answer : "reject " + answer);
        }
        assertThat(answers).as("the answer in the \"ours\" column of llhttp-differences.tsv")
                .isEqualTo(column(documented, 3));
    }

    @Test
    void everyVectorLlhttpRejectsGetsTheListedStatusAndViolation() throws IOException {
        JsonNode vectors = readVectors();
        Map<Integer, String[]> listed = readTable("/llhttp/llhttp-rejections.tsv");
        Map<Integer, String> expected = new TreeMap<>();
        Map<Integer, String> actual = new TreeMap<>();
        Map<Integer, String> expectedMended = new TreeMap<>();
        Map<Integer, String> actualMended = new TreeMap<>();
        for (int i = 0; i < vectors.size(); i++) {
            JsonNode v = vectors.get(i);
            if (!v.get("outcome").asText().equals("reject")) {
                continue;
            }
            byte[] raw = Base64.getDecoder().decode(v.get("raw_b64").asText());
            actual.put(i, replay(raw).answer());
            String[] row = listed.get(i);
            if (row == null) {
                continue;
            }
            expected.put(i, row[3]);
            assertThat(row[2]).as("llhttp's error for %d", i).isEqualTo(v.get("error").asText());
            if (!row[4].equals("-")) {
                expectedMended.put(i, row[4]);
                actualMended.put(i, replay(mended(raw)).answer());
            }
        }
        assertThat(listed.keySet()).as("the cases llhttp rejects, each listed in llhttp-rejections.tsv")
                .isEqualTo(actual.keySet());
        assertThat(actual).as("status and violation for each case llhttp rejects (llhttp-rejections.tsv)")
                .isEqualTo(expected);
        assertThat(actualMended).as("the same cases with Host added and the fragment dropped")
                .isEqualTo(expectedMended);
        Map<Integer, String> accepted = new TreeMap<>(actual);
        accepted.values().removeIf(answer -> !answer.equals("accept"));
        assertThat(readDocumentedDifferences().keySet()).as("a rejected case we accept is a documented difference")
                .containsAll(accepted.keySet());
    }

    /** The bytes with "Host: a" after the request line if no Host field is there, and a "#fragment" dropped. */
    private static byte[] mended(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int lineEnd = text.indexOf("\r\n");
        if (!text.toLowerCase(java.util.Locale.ROOT).contains("\r\nhost:")) {
            text = text.substring(0, lineEnd + 2) + "Host: a\r\n" + text.substring(lineEnd + 2);
            lineEnd = text.indexOf("\r\n");
        }
        String requestLine = text.substring(0, lineEnd).replaceAll("#[^ ]*", "");
        return (requestLine + text.substring(lineEnd)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private JsonNode readVectors() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/llhttp/llhttp-request-vectors.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Map<Integer, String> column(Map<Integer, String> lines, int column) {
        Map<Integer, String> out = new TreeMap<>();
        lines.forEach((i, line) -> out.put(i, line.split("\t")[column]));
        return out;
    }

    /** index TAB name TAB llhttp error TAB ours TAB mended; lines starting with # are comments. */
    private Map<Integer, String[]> readTable(String resource) throws IOException {
        Map<Integer, String[]> rows = new TreeMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t");
                assertThat(cols).as("5 columns in: %s", line).hasSize(5);
                assertThat(rows.put(Integer.parseInt(cols[0]), cols)).as("listed once: %s", line).isNull();
            }
        }
        return rows;
    }

    private record Outcome(String verdict, HttpRequestError error) {
        /** "accept", or the status and violation, as the tables write them: "400 MISSING_HOST". */
        String answer() {
            return error == null ? "accept" : error.status() + " " + error.violation().name();
        }
    }

    private static Outcome replay(byte[] raw) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestParser(ParserLimits.defaults()));
        channel.writeInbound(Unpooled.wrappedBuffer(raw));
        HttpRequestError error = null;
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            if (msg instanceof HttpRequestError e) {
                error = e;
            }
            io.netty.util.ReferenceCountUtil.release(msg);
        }
        channel.finishAndReleaseAll();
        return new Outcome(error == null ? "accept" : "reject", error);
    }

    /** index TAB name TAB llhttp TAB ours TAB rule; lines starting with # are comments. */
    private Map<Integer, String> readDocumentedDifferences() throws IOException {
        Map<Integer, String> documented = new TreeMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/llhttp/llhttp-differences.tsv"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t");
                assertThat(cols).as("5 columns in: %s", line).hasSize(5);
                assertThat(cols[4]).as("a rule for: %s", line).isNotBlank();
                documented.put(Integer.parseInt(cols[0]), line);
            }
        }
        return documented;
    }
}
