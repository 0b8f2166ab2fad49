package org.foobarstack.testkit.tests;

import org.foobarstack.testkit.FoobarStackUnderTest;
import org.foobarstack.testkit.TestLink;
import org.foobarstack.testkit.TestStack;
import org.foobarstack.toxics.Toxic;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The complete test of docs/testing.md's "Toxics on links", word for word. */
class SlowDatabaseTest {

    @FoobarStackUnderTest("simple")
    static TestStack stack;

    private final HttpClient http = HttpClient.newHttpClient();

    private long millisToList() throws Exception {
        long began = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(stack.url("/api/messages")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return (System.nanoTime() - began) / 1_000_000;
    }

    @Test
    void aSlowDatabaseSlowsTheGuestbook_untilTheToxicIsRemoved() throws Exception {
        millisToList();                                          // the app server's connections are open now
        TestLink database = stack.link("app-1", "db-1");         // the app server's link to the database

        database.add(Toxic.latency(Duration.ofMillis(200)));     // every answer of the database, 200 ms late
        assertThat(millisToList()).isGreaterThanOrEqualTo(200);

        database.remove("latency_downstream");                   // Toxiproxy's default name: <type>_<stream>
        assertThat(millisToList()).isLessThan(200);
    }
}
