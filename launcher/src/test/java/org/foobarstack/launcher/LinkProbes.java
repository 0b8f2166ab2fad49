package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tests of a stack run with proxied links ({@code run --toxics}) ask of it: one link as
 * {@code GET /api/links} shows it, and how long {@code GET /api/messages} takes, which reads the database through
 * the app server's link to it.
 */
final class LinkProbes {

    private LinkProbes() {
    }

    /** The link named {@code name} ({@code app-1->db-1}) in the stack's {@code GET /api/links}. */
    static JsonNode link(Stack stack, String name) throws IOException {
        JsonNode links = new ObjectMapper().readTree(RawHttp.get(stack.admin().address(), "/api/links").body());
        for (JsonNode link : links.path("links")) {
            if (link.path("name").asText().equals(name)) {
                return link;
            }
        }
        throw new AssertionError("no link " + name + " in " + links);
    }

    /** The median time, in milliseconds, of {@code n} requests for the message list sent to {@code front}. */
    static long medianMillis(InetSocketAddress front, int n) throws Exception {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            times.add(timedGetMillis(front, "/api/messages"));
        }
        times.sort(null);
        return times.get(n / 2);
    }

    /** How long one {@code GET path} to {@code at} takes, in milliseconds; the answer must be a 200. */
    static long timedGetMillis(InetSocketAddress at, String path) throws Exception {
        long started = System.nanoTime();
        RawHttp response = RawHttp.get(at, path);
        long took = (System.nanoTime() - started) / 1_000_000;
        assertThat(response.status()).isEqualTo(200);
        return took;
    }
}
