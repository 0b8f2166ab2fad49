package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The home page names the stack that serves it: /stack.json, written by the web tier at each start, says how
 * the zone publishes www and where every tier listens (on 127.0.86.x, ports of the test's own choosing), so a
 * page served with other ports or a CNAME for www says so instead of the defaults.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SiteFactsTest {

    @TempDir
    Path data;

    @Test
    void stackJsonSaysWhichRecordAndWhichPorts() throws Exception {
        Topology topology = TopologyLoader.load("cname.yaml", """
                name: one-server-cname
                www: cname
                hosts:
                  server-1:
                    address: 127.0.86.61
                    tiers:
                      dns: { port: 5353 }
                      web: { port: 8181, https-port: off }
                      app: { port: 9191 }
                      db:  { port: 1627 }
                """);
        Stack stack = new Stack(StackConfig.builder().topology(topology).adminPort(0).dataDir(data).build());
        try {
            stack.start(line -> { });
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.86.61:8181/stack.json")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode stackJson = new ObjectMapper().readTree(response.body());
            assertThat(stackJson.at("/design").asText()).isEqualTo("one-server-cname");
            assertThat(stackJson.at("/www/type").asText()).isEqualTo("CNAME");
            assertThat(stackJson.at("/www/target").asText()).isEqualTo("foobar.com");
            assertThat(stackJson.at("/www/addresses/0").asText()).isEqualTo("127.0.86.61");
            assertThat(stackJson.at("/dns/port").asInt()).isEqualTo(5353);
            assertThat(stackJson.at("/web/port").asInt()).isEqualTo(8181);
            assertThat(stackJson.at("/web/httpsPort").isMissingNode()).as("no HTTPS here").isTrue();
            assertThat(stackJson.at("/app/port").asInt()).isEqualTo(9191);
            assertThat(stackJson.at("/db/port").asInt()).isEqualTo(1627);
            assertThat(stackJson.at("/db/address").asText()).isEqualTo("127.0.86.61");
            // and the page loads the script that reads it
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.86.61:8181/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).contains("<script src=\"/stack.js\"></script>");
        } finally {
            stack.close();
        }
    }
}
