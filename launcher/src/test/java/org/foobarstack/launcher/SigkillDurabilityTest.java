package org.foobarstack.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write the stack acknowledged survives the stack being killed with SIGKILL.
 *
 * <ol>
 *   <li>The whole stack runs in a child JVM, started with the launcher's {@code run} command.
 *   <li>A writer posts guestbook messages through the HTTP API, one after another, and keeps the id of every
 *       message the stack acknowledged with 201.
 *   <li>After at least 1,000 acknowledgements, while the writer is still posting, the child gets SIGKILL: no
 *       shutdown hook, no clean close of the database.
 *   <li>The stack starts again on the same data directory (Derby replays its log), and every acknowledged
 *       message must be there, whole; any other row may only be a message that was in flight at the kill.
 * </ol>
 */
class SigkillDurabilityTest {

    private static final int ACKNOWLEDGED_BEFORE_KILL = 1_000;
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    @TempDir
    Path dataDir;

    /**
     * Longer than the default two minutes, and longer than the test's own deadlines added up: 90 s for the child
     * stack to come up ({@link ChildStack}), 90 s for the 1,000 acknowledgements, 30 s for the kill and 30 s for
     * the writer to stop, then the restart. A slow machine then fails on the assertion that prints what the stack
     * printed, not on the timeout.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyAcknowledgedMessageSurvivesSigkill() throws Exception {
        List<long[]> acknowledged = new CopyOnWriteArrayList<>(); // {id, sequence number}
        CompletableFuture<Void> enough = new CompletableFuture<>();
        ChildStack child = ChildStack.start(dataDir);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI messages = URI.create("http://" + child.web().getHostString() + ":" + child.web().getPort()
                + "/api/messages");

        Thread writer = new Thread(() -> {
            for (int n = 0; n < 100_000; n++) {
                String json = "{\"author\":\"writer\",\"body\":\"message " + n + "\"}";
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(messages)
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 201) {
                        // before the kill this is a failure of the stack, and the test says so at once
                        enough.completeExceptionally(new AssertionError("POST " + n + " answered "
                                + response.statusCode() + ": " + response.body()));
                        return;
                    }
                    Matcher m = ID.matcher(response.body());
                    if (m.find()) {
                        acknowledged.add(new long[] {Long.parseLong(m.group(1)), n});
                    }
                    if (acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL) {
                        enough.complete(null);
                    }
                } catch (IOException | InterruptedException e) {
                    // killed mid-request, or, before the kill, a failure of the stack
                    enough.completeExceptionally(new AssertionError("POST " + n + " failed", e));
                    return;
                }
            }
        }, "durability-writer");
        writer.start();
        try {
            enough.get(90, TimeUnit.SECONDS);
            child.kill();
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(acknowledged.size() + " messages acknowledged before the writer stopped; "
                    + "the stack printed:\n" + child.output(), e);
        } finally {
            child.kill();
            writer.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_KILL);

        Map<Long, String> stored = new HashMap<>();
        try (Stack restarted = new Stack(StackConfig.ephemeral(dataDir))) {
            restarted.start(line -> { });
            try (Connection c = DriverManager.getConnection(restarted.storage().jdbcUrl(),
                    restarted.storage().appUser(), restarted.storage().appPassword());
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT ID, AUTHOR, BODY FROM MESSAGES")) {
                while (rs.next()) {
                    assertThat(rs.getString("AUTHOR")).isEqualTo("writer");
                    stored.put(rs.getLong("ID"), rs.getString("BODY"));
                }
            }
        }
        long lost = acknowledged.stream().filter(a -> !("message " + a[1]).equals(stored.get(a[0]))).count();
        assertThat(lost).as("acknowledged messages lost or changed, of %d", acknowledged.size()).isZero();
        // Anything beyond the acknowledged rows was committed in the instant of the kill, before its 201 left.
        assertThat(stored.size() - acknowledged.size()).as("rows nobody was told about").isBetween(0, 1);
        assertThat(stored.values()).allMatch(body -> body.matches("message \\d+"), "whole messages only");
    }
}
