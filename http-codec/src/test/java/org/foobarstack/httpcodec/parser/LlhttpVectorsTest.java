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
 * README. A listed case that starts agreeing fails too, so the table cannot go stale.
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
    }

    private record Outcome(String verdict, HttpRequestError error) {
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
