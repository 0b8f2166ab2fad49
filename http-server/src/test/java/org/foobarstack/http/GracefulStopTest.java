package org.foobarstack.http;

import org.foobarstack.http.server.ShippedSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link WebServer#close()} over real sockets, with an app tier that answers when the test says so: what a client
 * sees of each of its connections while the web server stops.
 */
class GracefulStopTest {

    private static final String H = "Host: www.foobar.com\r\n";

    @TempDir
    Path dir;

    private HeldResponder app;
    private WebServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (app != null) {
            app.close();
        }
    }

    /**
     * Two kept-alive connections when the stop begins: one idle, one whose {@code /api} request waits at the app
     * tier. The idle one is closed at once and new connections are refused, while the stop waits; the request in
     * flight then gets its whole answer, not a refusal, with {@code Connection: close}, and its connection closes.
     */
    @Test
    void aRequestInFlightIsAnsweredInFullWhileIdleAndNewConnectionsAreTurnedAway() throws Exception {
        app = new HeldResponder(false);
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .documentRoot(ShippedSite.install(dir.resolve("www"))).dataDirectory(dir.resolve("data"))
                .appServerAddress(app.address())
                .limits(WebServerConfig.Limits.builder().appTimeout(Duration.ofSeconds(30)).build()).build());
        server.start();
        InetSocketAddress address = server.httpAddress();
        try (RawHttp idle = new RawHttp(address); RawHttp busy = new RawHttp(address)) {
            RawHttp.Response page = idle.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("connection")).as("kept alive").isNull();
            busy.send("GET /api/messages HTTP/1.1\r\n" + H + "\r\n");
            assertThat(app.arrived.await(10, TimeUnit.SECONDS)).as("the request reached the app tier").isTrue();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            assertThat(idle.closedByServer()).as("the idle kept-alive connection is closed").isTrue();
            // the listener closed before the connections were told to stop: a new connection is refused now
            assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                    .isInstanceOf(ConnectException.class);
            assertThat(closing).as("the stop waits for the request in flight").isNotDone();

            app.release();
            RawHttp.Response answer = busy.read();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("connection")).isEqualTo("close");
            assertThat(answer.body()).hasSize(HeldResponder.BODY_SIZE);
            assertThat(answer.text()).isEqualTo("a".repeat(HeldResponder.BODY_SIZE));
            closing.get(10, TimeUnit.SECONDS);
            assertThat(busy.closedByServer()).isTrue();
        }
    }
}
