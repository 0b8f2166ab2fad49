package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.admin.DashboardBrowserTest.CHROMIUM;
import static org.foobarstack.admin.DashboardBrowserTest.SCREENSHOTS;
import static org.foobarstack.admin.DashboardBrowserTest.collectPageErrors;
import static org.foobarstack.admin.DashboardBrowserTest.count;
import static org.foobarstack.admin.DashboardBrowserTest.requireChromiumAndLoopbackOnlyNetwork;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.foobarstack.toxics.LinkProxy;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's links panel in headless Chromium, as {@link DashboardBrowserTest} drives it (same browser, same
 * loopback-only namespace, same rule in CI: a missing browser or namespace fails the test). The stack is a
 * {@link FakeStack} whose {@code app-1 -> db-1} and {@code web-1 -> app-1} links run through real proxies in front
 * of an echo server: a toxic added from the page acts on the bytes that cross the link, and the test measures it
 * there, over a socket, as a slow database would be felt by its app server.
 */
class LinksBrowserTest {

    private static final String TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    /** The latency the test adds: far above a round trip on loopback, so that it cannot be mistaken for one. */
    private static final long LATENCY_MILLIS = 300;
    private static final String APP_TO_DB = "#links tr[data-link=\"app-1->db-1\"]";

    @Test
    void aToxicAddedFromThePageSlowsTheLinkShowsOnItsArrowAndIsRemovedAgain() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        try (Echo echo = new Echo();
             LinkProxy appToDb = LinkProxy.builder().name("app-1 -> db-1").listen(loopback())
                     .upstream(echo.address()).build();
             LinkProxy webToApp = LinkProxy.builder().name("web-1 -> app-1").listen(loopback())
                     .upstream(echo.address()).build()) {
            appToDb.start();
            webToApp.start();
            FakeStack stack = new FakeStack();
            stack.proxyLink("web-1", "app-1", webToApp);
            stack.proxyLink("app-1", "db-1", appToDb);
            // the first connections load the proxies' code: not what a toxic adds, so not measured
            roundTripMillis(appToDb.address());
            roundTripMillis(webToApp.address());
            assertThat(roundTripMillis(appToDb.address())).as("a round trip through the bare proxy")
                    .isLessThan(LATENCY_MILLIS);

            try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                    new Metrics(), stack, TOKEN)) {
                server.start();
                String page = "http://127.0.0.1:" + server.address().getPort() + "/";
                try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM,
                        SCREENSHOTS.resolve("chromium.log"))) {
                    List<String> pageErrors = collectPageErrors(browser);

                    // (1) the panel lists each link with where its caller connects and where the proxy connects
                    browser.navigate(page + "#token=" + TOKEN);
                    browser.waitFor("document.querySelectorAll('#links tr[data-link]').length === 2"
                            + " && !document.getElementById('toxic-add').disabled", 5_000);
                    assertThat(browser.evaluate("document.getElementById('links-panel').hidden").asBoolean())
                            .isFalse();
                    assertThat(text(browser, APP_TO_DB)).contains("app-1 → db-1",
                            hostPort(appToDb.address()), hostPort(echo.address()), "none");
                    // the form starts on a link to a database, with latency's attributes and what it does
                    assertThat(browser.text("document.getElementById('toxic-link').value")).isEqualTo("app-1->db-1");
                    assertThat(browser.evaluate("[...document.querySelectorAll('#toxic-attributes input')]"
                            + ".map(i => i.dataset.attribute)").toString()).isEqualTo("[\"latency\",\"jitter\"]");
                    assertThat(browser.text("document.getElementById('toxic-help').textContent"))
                            .startsWith("latency delays every piece of data");

                    // (2) 300 ms of latency on the answers from the database, added with the form
                    browser.evaluate("document.querySelector('#toxic-attributes input[data-attribute=latency]')"
                            + ".value = '" + LATENCY_MILLIS + "'");
                    browser.click("#toxic-add");
                    String chip = APP_TO_DB + " .toxic[data-toxic=\"latency_downstream\"]";
                    browser.waitFor("document.querySelector('" + chip.replace("'", "\\'") + "')", 5_000);
                    assertThat(text(browser, chip)).contains("latency_downstream", "latency +300 ms ±0 ms",
                            "downstream");
                    assertThat(browser.text("document.getElementById('links-status').textContent"))
                            .isEqualTo("app-1->db-1: added latency_downstream, latency +300 ms ±0 ms, downstream");
                    assertThat(appToDb.toxics()).singleElement()
                            .satisfies(toxic -> assertThat(toxic.type()).isEqualTo("latency"));
                    // felt on the link itself: the echo comes back at least 300 ms later
                    assertThat(roundTripMillis(appToDb.address())).isGreaterThanOrEqualTo(LATENCY_MILLIS);
                    // the other link is untouched
                    assertThat(roundTripMillis(webToApp.address())).isLessThan(LATENCY_MILLIS);

                    // (3) the topology's arrow from app-1 to db-1 carries the toxic; web-1's to app-1 none
                    String arrow = "#topology-arrows g[data-from=\"app-1\"][data-to=\"db-1\"]";
                    browser.waitFor("document.querySelector('" + arrow.replace("'", "\\'")
                            + "')?.classList.contains('arrow-toxic')", 5_000);
                    assertThat(browser.text("document.querySelector('" + arrow + "').dataset.toxics"))
                            .isEqualTo("latency_downstream");
                    assertThat(text(browser, arrow)).isEqualTo("SQL ☣ +" + LATENCY_MILLIS + "ms↓");
                    assertThat(count(browser, "#topology-arrows g.arrow-toxic")).isEqualTo(1);
                    browser.screenshot(SCREENSHOTS.resolve("15-links-toxic.png"));

                    // (4) the same name again is refused, with the stack's reason, and changes nothing
                    browser.click("#toxic-add");
                    browser.waitFor("document.getElementById('links-status').dataset.state === 'error'", 5_000);
                    assertThat(browser.text("document.getElementById('links-status').textContent"))
                            .startsWith("app-1->db-1: refused, 409: ");
                    assertThat(appToDb.toxics()).hasSize(1);

                    // (5) removed with its button: the link is fast again, the arrow plain
                    browser.click(chip + " .toxic-remove");
                    browser.waitFor("!document.querySelector('" + chip.replace("'", "\\'") + "')", 5_000);
                    assertThat(browser.text("document.getElementById('links-status').textContent"))
                            .isEqualTo("app-1->db-1: removed latency_downstream");
                    assertThat(appToDb.toxics()).isEmpty();
                    assertThat(roundTripMillis(appToDb.address())).isLessThan(LATENCY_MILLIS);
                    browser.waitFor("!document.querySelector('#topology-arrows g.arrow-toxic')", 5_000);

                    // the one error the browser saw is the refusal of (4)
                    assertThat(pageErrors).containsExactly(
                            "Failed to load resource: the server responded with a status of 409 (Conflict)");
                }
            }
        }
    }

    @Test
    void aStackWhoseTiersConnectDirectShowsNoLinksPanel() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), new FakeStack(), TOKEN)) {
            server.start();
            String page = "http://127.0.0.1:" + server.address().getPort() + "/";
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);
                browser.navigate(page);
                browser.waitFor("document.querySelectorAll('#topology .host[data-state]').length === 4"
                        + " && document.querySelectorAll('#topology-arrows g[data-kind]').length > 0", 5_000);
                assertThat(browser.evaluate("document.getElementById('links-panel').hidden").asBoolean()).isTrue();
                assertThat(count(browser, "#topology-arrows g.arrow-toxic")).isZero();
                assertThat(pageErrors).isEmpty();
            }
        }
    }

    private static String text(HeadlessChromium browser, String selector) throws Exception {
        return browser.text("document.querySelector('" + selector.replace("'", "\\'") + "').textContent");
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** Milliseconds from sending a line through {@code address} to its echo coming back, on a new connection. */
    private static long roundTripMillis(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 2_000);
            socket.setSoTimeout(5_000);
            byte[] line = "ping\n".getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            socket.getOutputStream().write(line);
            InputStream in = socket.getInputStream();
            for (int read = 0; read < line.length; read++) {
                assertThat(in.read()).as("the echo of byte " + read).isEqualTo(line[read]);
            }
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    /** Sends back what it receives, on 127.0.0.1, one thread per connection, until closed. */
    private static final class Echo implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        Echo() throws IOException {
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread copy = new Thread(() -> copy(socket), "echo");
                        copy.setDaemon(true);
                        copy.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "echo-accept");
            accept.setDaemon(true);
            accept.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        private static void copy(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
