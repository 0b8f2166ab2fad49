package org.foobarstack.testkit.tests;

import org.foobarstack.testkit.FoobarStackUnderTest;
import org.foobarstack.testkit.RecordedFastCgiRequest;
import org.foobarstack.testkit.RecordedHttpRequest;
import org.foobarstack.testkit.RecordedSql;
import org.foobarstack.testkit.TestStack;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The complete test of docs/testing.md, word for word: the example a user copies must pass. */
class GuestbookTest {

    @FoobarStackUnderTest("simple")
    static TestStack stack;

    @Test
    void aPostReachesTheDatabase() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(stack.url("/api/messages"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"author\":\"ada\",\"body\":\"hi\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(201);
        String traceId = response.headers().firstValue("X-Trace-Id").orElseThrow();

        RecordedHttpRequest http = stack.takeRequest();
        assertThat(http.method()).isEqualTo("POST");
        assertThat(http.target()).isEqualTo("/api/messages");
        assertThat(http.traceId()).isEqualTo(traceId);

        RecordedFastCgiRequest fastCgi = stack.fastCgiRequests().take();
        assertThat(fastCgi.param("REQUEST_METHOD")).contains("POST");
        assertThat(fastCgi.stdin()).isEqualTo("{\"author\":\"ada\",\"body\":\"hi\"}");
        assertThat(fastCgi.traceId()).isEqualTo(traceId);

        RecordedSql insert = stack.sqlStatements().take();
        assertThat(insert.statement()).startsWith("INSERT INTO MESSAGES");
        assertThat(insert.parameters()).containsExactly("'ada' (VARCHAR)", "'hi' (VARCHAR)");
        assertThat(insert.traceId()).isEqualTo(traceId);
    }
}
