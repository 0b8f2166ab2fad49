package org.foobarstack.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The tests' HTTP client: plain requests to a server on loopback, as curl would send them. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Http() {
    }

    static URI uri(InetSocketAddress server, String pathAndQuery) {
        return URI.create("http://" + server.getAddress().getHostAddress() + ":" + server.getPort() + pathAndQuery);
    }

    static HttpResponse<String> get(InetSocketAddress server, String pathAndQuery) throws IOException,
            InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(uri(server, pathAndQuery)).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(InetSocketAddress server, String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = get(server, pathAndQuery);
        if (response.statusCode() != 200) {
            throw new AssertionError(pathAndQuery + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** A push as a client would send it, or with {@code host} null, without the X-Monitoring-Host header. */
    static HttpResponse<String> push(InetSocketAddress server, String host, String body) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(server, "/api/push")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (host != null) {
            request.header("X-Monitoring-Host", host);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
