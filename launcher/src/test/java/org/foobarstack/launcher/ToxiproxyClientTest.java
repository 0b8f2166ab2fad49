package org.foobarstack.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import org.foobarstack.topology.ShippedTopologies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Toxiproxy's own Java client ({@code eu.rekawek.toxiproxy:toxiproxy-java}) against the Toxiproxy API of a stack
 * started with toxics: the simple design moved to 127.0.78.x and free ports, the API on a free port of 127.0.0.1.
 * The client lists the stack's links as proxies, puts a latency toxic on {@code app-1_to_db-1} that
 * {@code GET /api/messages} feels and that {@code /api/links} shows, removes it again, makes a proxy of its own to
 * the web server and cuts its answers with {@code limit_data}, disables and deletes it, and resets everything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ToxiproxyClientTest {

    private static final long LATENCY_MS = 300;
    /** How far a request's time may stray from the baseline's median for reasons of its own (GC, scheduling). */
    private static final long TOLERANCE_MS = 40;
    private static final String DB_LINK = "app-1_to_db-1";

    @TempDir
    static Path data;

    static Stack stack;
    static ToxiproxyClient client;
    static long baselineMs;

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack(StackConfig.builder()
                .topology(ShippedTopologies.load("simple").relocated(78).withEphemeralPorts())
                .adminPort(0).dataDir(data).build());
        stack.proxyLinks(new InetSocketAddress("127.0.0.1", 0));
        stack.start(line -> { });
        InetSocketAddress api = stack.toxiproxy().address();
        client = new ToxiproxyClient(api.getAddress().getHostAddress(), api.getPort());
        baselineMs = LinkProbes.medianMillis(stack.front(), 5);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void theClientSeesEveryLinkOfTheStackAsAnEnabledProxy() throws Exception {
        assertThat(client.version()).contains("\"version\"");
        List<String> names = new ArrayList<>();
        for (Proxy proxy : client.getProxies()) {
            names.add(proxy.getName());
        }
        assertThat(names).contains(DB_LINK, "web-1_to_app-1");
        Proxy db = client.getProxy(DB_LINK);
        assertThat(db.isEnabled()).isTrue();
        assertThat(db.getListen()).startsWith("127.0.78.");
        assertThat(db.getUpstream()).startsWith("127.0.78.").isNotEqualTo(db.getListen());
        assertThat(db.toxics().getAll()).isEmpty();
    }

    @Test
    @Order(2)
    void aLatencyToxicAddedByTheClientSlowsTheDatabaseAndShowsInTheAdminApi() throws Exception {
        Proxy db = client.getProxy(DB_LINK);
        Latency latency = db.toxics().latency("slow-db", ToxicDirection.DOWNSTREAM, LATENCY_MS);
        assertThat(latency.getLatency()).isEqualTo(LATENCY_MS);

        long slowed = LinkProbes.timedGetMillis(stack.front(), "/api/messages");
        assertThat(slowed - baselineMs).as("baseline %d ms, with the toxic %d ms", baselineMs, slowed)
                .isGreaterThanOrEqualTo(LATENCY_MS - TOLERANCE_MS)
                .isLessThan(10 * LATENCY_MS);
        JsonNode link = LinkProbes.link(stack, "app-1->db-1");
        assertThat(link.path("proxy").asText()).isEqualTo(DB_LINK);
        assertThat(link.path("toxics").get(0).path("name").asText()).isEqualTo("slow-db");
        assertThat(link.path("toxics").get(0).path("attributes").path("latency").asLong()).isEqualTo(LATENCY_MS);

        db.toxics().get("slow-db").remove();
        long after = LinkProbes.medianMillis(stack.front(), 3);
        assertThat(after).as("baseline %d ms, after the removal %d ms", baselineMs, after)
                .isLessThan(baselineMs + LATENCY_MS - TOLERANCE_MS);
        assertThat(LinkProbes.link(stack, "app-1->db-1").path("toxics")).isEmpty();
        assertThat(db.toxics().getAll()).isEmpty();
    }

    @Test
    @Order(3)
    void aToxicAddedThroughTheAdminApiIsOneTheClientSees() throws Exception {
        String body = "{\"name\":\"thin\",\"type\":\"bandwidth\",\"attributes\":{\"rate\":64}}";
        RawHttp added = RawHttp.send(stack.admin().address(), "POST /api/links/web-1-%3Eapp-1/toxics HTTP/1.1\r\n"
                + "Host: a\r\nContent-Type: application/json\r\nAuthorization: Bearer " + stack.token() + "\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(added.status()).isEqualTo(200);

        Proxy web = client.getProxy("web-1_to_app-1");
        assertThat(web.toxics().getAll()).extracting(t -> t.getName()).containsExactly("thin");
        web.toxics().get("thin").remove();
        assertThat(LinkProbes.link(stack, "web-1->app-1").path("toxics")).isEmpty();
    }

    @Test
    @Order(4)
    void aProxyTheClientMakesCarriesItsToxicsToAnyTcpService() throws Exception {
        InetSocketAddress webServer = stack.front();
        Proxy own = client.createProxy("web-direct", "127.0.0.1:0",
                webServer.getAddress().getHostAddress() + ":" + webServer.getPort());
        assertThat(own.isEnabled()).isTrue();
        InetSocketAddress listen = hostPort(own.getListen());
        assertThat(listen.getPort()).isPositive();
        byte[] whole = fetch(listen, "/api/messages");
        assertThat(new String(whole, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
        assertThat(whole.length).isGreaterThan(200);

        own.toxics().limitData("cut", ToxicDirection.DOWNSTREAM, 100);
        byte[] cut = fetch(listen, "/api/messages");
        assertThat(cut).as("the answer cut after 100 bytes").hasSize(100);
        assertThat(new String(cut, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
        own.toxics().get("cut").remove();
        assertThat(fetch(listen, "/api/messages").length).isGreaterThan(100);

        own.disable();
        assertThat(own.isEnabled()).isFalse();
        assertThatThrownBy(() -> fetch(listen, "/")).isInstanceOf(ConnectException.class);
        own.enable();
        assertThat(fetch(listen, "/api/messages").length).isGreaterThan(100);

        own.delete();
        assertThat(client.getProxyOrNull("web-direct")).isNull();
        assertThatThrownBy(() -> fetch(listen, "/")).isInstanceOf(ConnectException.class);
    }

    @Test
    @Order(5)
    void aStackLinkCannotBeDeletedButResetEnablesItAndClearsItsToxics() throws Exception {
        Proxy db = client.getProxy(DB_LINK);
        assertThatThrownBy(db::delete).isInstanceOf(IOException.class).hasMessageContaining("409");
        assertThat(client.getProxy(DB_LINK).isEnabled()).isTrue();

        db.toxics().timeout("stall", ToxicDirection.UPSTREAM, 0);
        db.disable();
        assertThat(client.getProxy(DB_LINK).isEnabled()).isFalse();
        InetSocketAddress listen = hostPort(db.getListen());
        assertThatThrownBy(() -> new Socket(listen.getAddress(), listen.getPort()).close())
                .as("a disabled link listens no more").isInstanceOf(ConnectException.class);

        // a client of its own: reset() also reads again every proxy the client has handed out, and this test
        // class's client still holds web-direct, deleted above, which would answer 404 (as Toxiproxy would)
        InetSocketAddress api = stack.toxiproxy().address();
        new ToxiproxyClient(api.getAddress().getHostAddress(), api.getPort()).reset();
        Proxy again = client.getProxy(DB_LINK);
        assertThat(again.isEnabled()).isTrue();
        assertThat(again.getListen()).isEqualTo(db.getListen());
        assertThat(again.toxics().getAll()).isEmpty();
        assertThat(LinkProbes.link(stack, "app-1->db-1").path("toxics")).isEmpty();
        // the app server's pooled connections died with the link: a request may fail once before the pool
        // notices, and then the link carries queries again
        int status = 0;
        for (int attempt = 0; attempt < 5 && status != 200; attempt++) {
            status = RawHttp.get(stack.front(), "/api/messages").status();
        }
        assertThat(status).as("the link carries queries again").isEqualTo(200);
    }

    /** Every byte of the answer to one GET, read until the server (or a toxic) ends the stream. */
    private static byte[] fetch(InetSocketAddress at, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(at, 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: www.foobar.com\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toByteArray();
        }
    }

    private static InetSocketAddress hostPort(String text) {
        int colon = text.lastIndexOf(':');
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

}
