package org.foobarstack.walk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * After {@code walk --packets}: the journey with its packets goes to the admin server the trace came from
 * ({@code PUT {base}/api/traces/{traceId}/packets}, the JSON of {@code walk --json --packets} without
 * indentation), so that the dashboard's step-through can show, under the trace's hops, the packets that carried
 * them. Only a walk as root captures packets; the dashboard cannot, so the walk brings them.
 *
 * <p>The admin server takes them only with the stack's token ({@code Authorization: Bearer}, RFC 6750 §2.1), read
 * from the stack's data directory ({@code data/admin.token}): what the dashboard shows as captured packets must
 * have been captured, not written by any program on the machine. A walk as root can read that file.
 *
 * <p>Whatever happens, the result is one line for the journey: the walk has succeeded already, and a stack
 * without an admin server, or one that does not take packets, is no failure of it.
 */
final class PacketsUpload {

    /** What the admin server answers for the packets of a trace; {@code {id}} is the trace id. */
    static final String PATH = "api/traces/%s/packets";

    /**
     * @param base      the admin server ({@code --trace-api}, or the stack's default)
     * @param tokenFile the file holding the stack's token
     * @return one line saying where the packets went, or why they did not
     */
    String send(URI base, Path tokenFile, String traceId, String json, Duration timeout) {
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        URI uri = URI.create(root + String.format(PATH, traceId));
        String token;
        try {
            token = Files.readString(tokenFile, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "not sent to the dashboard: no stack token in " + tokenFile + " (the stack writes it into its data"
                    + " directory; name it with --token-file)";
        }
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return "not sent to the dashboard: PUT " + uri + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not sent to the dashboard: interrupted";
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return "sent to the dashboard (PUT " + uri + ", " + json.length() + " bytes): open the trace in "
                    + root + " and choose \"packets\" under a hop";
        }
        return "not sent to the dashboard: PUT " + uri + " answered " + status + reason(response.body());
    }

    /** The admin server's {@code {"error": "..."}} message after a colon, or nothing when the body has none. */
    private static String reason(String body) {
        try {
            JsonNode node = new ObjectMapper().readTree(body);
            String error = node == null ? "" : node.path("error").asText("");
            return error.isEmpty() ? "" : ": " + error;
        } catch (IOException e) {
            return "";
        }
    }
}
