package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: headless Chromium (Debian's {@code chromium}) driven over the DevTools
 * protocol opens the page served by an {@link AdminServer} whose hub holds one GET that crossed all four
 * tiers, sees it in the list, clicks it, steps through its hops with the buttons and the arrow keys, and
 * reads each hop's fields. Screenshots go to {@code admin/target/screenshots/}.
 *
 * <p>Network: Maven runs this test's JVM through {@code src/test/netns/bin/java}, which puts it in a network
 * namespace that has only loopback; the browser, started by the JVM, inherits it, so nothing it does can leave
 * the machine. The page it loads is on 127.0.0.1 and loads nothing from elsewhere. In CI ({@code CI=true})
 * a missing browser or a missing namespace fails the test; elsewhere it is skipped or noted.
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final boolean CI = "true".equals(System.getenv("CI"));
    private static final int ARROW_LEFT = 37;
    private static final int ARROW_RIGHT = 39;

    @Test
    void aRequestCanBeFoundInTheListOpenedAndSteppedThroughHopByHop() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        TraceHub hub = new TraceHub();
        FourTierTrace stack = new FourTierTrace(hub);
        String traceId = stack.recordGet(0);
        List<TierStatus> tiers = List.of(
                new TierStatus("dns", "dns-1", "DNS server", "DNS",
                        List.of("127.0.0.1:5300/udp dns", "127.0.0.1:5300/tcp dns"), true),
                new TierStatus("web", "web-1", "web server", "HTTP/1.1",
                        List.of("127.0.0.1:8080/tcp http", "127.0.0.1:8443/tcp https"), true,
                        java.util.Map.of("connections", 1L)),
                new TierStatus("app", "app-1", "application server", "FastCGI",
                        List.of("127.0.0.1:9000/tcp fastcgi"), true),
                new TierStatus("db", "db-1", "database", "DRDA", List.of("127.0.0.1:1527/tcp drda"), false));

        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), hub, new Metrics(),
                () -> tiers)) {
            server.start();
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = new CopyOnWriteArrayList<>();
                browser.onEvent(event -> {
                    String method = event.path("method").asText();
                    JsonNode params = event.path("params");
                    if (method.equals("Runtime.exceptionThrown")) {
                        pageErrors.add(params.path("exceptionDetails").toString());
                    } else if (method.equals("Log.entryAdded") && params.path("entry").path("level").asText()
                            .equals("error")) {
                        pageErrors.add(params.path("entry").path("text").asText());
                    }
                });
                browser.navigate("http://127.0.0.1:" + server.address().getPort() + "/");

                // (1) the topology: a box per instance, with its address and state
                browser.waitFor("document.querySelectorAll('#topology .box[data-tier]').length === 5", 15_000);
                assertThat(browser.text("document.querySelector('#topology .box[data-tier=\"web\"]').textContent"))
                        .contains("web-1", "127.0.0.1:8080/tcp http", "up");
                assertThat(browser.text("document.querySelector('#topology .box[data-tier=\"db\"]')"
                        + ".getAttribute('data-up')")).isEqualTo("false");
                assertThat(browser.text("document.getElementById('health').textContent")).contains("down");

                // (2) the list: the request, its status and the four tiers it touched
                String row = "#requests tr[data-trace-id=\"" + traceId + "\"]";
                browser.waitFor("document.querySelector('" + row.replace("'", "\\'") + "')", 15_000);
                assertThat(browser.text("document.querySelector('" + row + "').textContent"))
                        .contains("GET /api/messages", "200");
                assertThat(browser.evaluate("[...document.querySelectorAll('" + row + " .tier-chip')]"
                        + ".map(e => e.textContent)").toString()).isEqualTo("[\"dns\",\"web\",\"app\",\"db\"]");
                browser.screenshot(SCREENSHOTS.resolve("01-requests.png"));

                // (3) click it: a waterfall of its nine hops, the first one selected
                browser.click(row);
                browser.waitFor("document.querySelectorAll('#waterfall .hop').length === "
                        + FourTierTrace.HOP_COUNT, 10_000);
                assertThat(browser.text("document.getElementById('hop-position').textContent"))
                        .isEqualTo("1 / " + FourTierTrace.HOP_COUNT);
                assertThat(selectedHop(browser)).isEqualTo("0");
                assertThat(fieldNames(browser)).contains("Header", "Queries");
                assertThat(browser.text("document.querySelector('#waterfall .hop[data-tier=\"db\"] .bar').className"))
                        .contains("tier-db");

                // next, next: the web tier's request head, with its fields and offsets
                browser.click("#hop-next");
                browser.click("#hop-next");
                browser.waitFor("document.getElementById('hop-detail').dataset.hopIndex === '2'", 5_000);
                assertThat(browser.text("document.getElementById('hop-title').textContent"))
                        .contains("web/web-1", "HTTP", "received", "GET /api/messages HTTP/1.1");
                assertThat(fieldNames(browser)).contains("Request line", "Method", "Request target");
                String requestLine = "#fields li[data-field-name=\"Request line\"]";
                assertThat(browser.text("document.querySelector('" + requestLine + " > .line').textContent"))
                        .contains("[0+28]", "GET /api/messages HTTP/1.1");
                // a header value is shown as text, never run as markup
                assertThat(browser.text("document.getElementById('fields').textContent"))
                        .contains("<script>alert(1)</script>");
                assertThat(browser.evaluate("document.querySelectorAll('#fields script').length").asInt()).isZero();
                browser.screenshot(SCREENSHOTS.resolve("02-http-request-head.png"));

                // the tree folds: the request line's children hide and come back
                String method = requestLine + " li[data-field-name=\"Method\"]";
                assertThat(visible(browser, method)).isTrue();
                browser.click(requestLine + " > .line > .twisty");
                assertThat(visible(browser, method)).isFalse();
                browser.click(requestLine + " > .line > .twisty");
                assertThat(visible(browser, method)).isTrue();

                // the arrow keys step too: right to the FastCGI record, left back, previous to the DNS answer
                browser.press("ArrowRight", ARROW_RIGHT);
                browser.waitFor("document.getElementById('hop-detail').dataset.hopIndex === '3'", 5_000);
                assertThat(fieldNames(browser)).contains("Record header", "Content length");
                browser.press("ArrowLeft", ARROW_LEFT);
                browser.waitFor("document.getElementById('hop-detail').dataset.hopIndex === '2'", 5_000);
                browser.click("#hop-prev");
                browser.waitFor("document.getElementById('hop-detail').dataset.hopIndex === '1'", 5_000);
                assertThat(fieldNames(browser)).contains("Header", "Answers");

                // on to the database's hop: the statement and its row count
                for (int i = 0; i < 5; i++) {
                    browser.press("ArrowRight", ARROW_RIGHT);
                }
                browser.waitFor("document.getElementById('hop-detail').dataset.hopIndex === '6'", 5_000);
                assertThat(browser.text("document.getElementById('hop-detail').dataset.tier")).isEqualTo("db");
                assertThat(browser.text("document.getElementById('fields').textContent"))
                        .contains("Statement", "SELECT id, author, body FROM messages", "Rows", "2");
                browser.screenshot(SCREENSHOTS.resolve("03-db-hop.png"));

                // the last hop: next is disabled there
                browser.press("ArrowRight", ARROW_RIGHT);
                browser.press("ArrowRight", ARROW_RIGHT);
                browser.waitFor("document.getElementById('hop-detail').dataset.hopIndex === '8'", 5_000);
                assertThat(browser.evaluate("document.getElementById('hop-next').disabled").asBoolean()).isTrue();
                assertThat(fieldNames(browser)).contains("Status line", "Status code");

                // a message recorded for the open request later (the connection closing) joins its waterfall,
                // and the selection stays where it was
                long now = System.nanoTime();
                stack.web.record(stack.web.hop(traceId, org.foobarstack.trace.Protocol.TCP,
                        org.foobarstack.trace.Direction.SENT).summary("FIN: connection closed by the client")
                        .timing(now, now + 1_000).build());
                browser.waitFor("document.querySelectorAll('#waterfall .hop').length === "
                        + (FourTierTrace.HOP_COUNT + 1), 10_000);
                assertThat(selectedHop(browser)).isEqualTo("8");
                assertThat(browser.evaluate("document.getElementById('hop-next').disabled").asBoolean()).isFalse();

                // the list is live: a request made now shows up without reloading the page
                String dig = stack.recordDig();
                browser.waitFor("document.querySelector('#requests tr[data-trace-id=\"" + dig + "\"]')", 10_000);
                assertThat(browser.text("document.querySelector('#requests tr[data-trace-id=\"" + dig
                        + "\"]').textContent")).contains("DNS", "NXDOMAIN");
                browser.screenshot(SCREENSHOTS.resolve("04-live-list.png"));

                assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();
            }
        }
    }

    private static String selectedHop(HeadlessChromium browser) throws Exception {
        return browser.text("document.getElementById('hop-detail').dataset.hopIndex");
    }

    private static String fieldNames(HeadlessChromium browser) throws Exception {
        return browser.evaluate("[...document.querySelectorAll('#fields li')].map(li => li.dataset.fieldName)")
                .toString();
    }

    private static boolean visible(HeadlessChromium browser, String selector) throws Exception {
        return browser.evaluate("document.querySelector('" + selector.replace("'", "\\'")
                + "').getClientRects().length > 0").asBoolean();
    }

    private static void requireChromiumAndLoopbackOnlyNetwork() {
        if (!Files.isExecutable(CHROMIUM)) {
            if (CI) {
                fail("Chromium is missing at " + CHROMIUM + ": install Debian's chromium package");
            }
            Assumptions.abort("Chromium is not installed at " + CHROMIUM);
        }
        String netns = System.getenv("FOOBAR_NETNS");
        if (!"loopback-only".equals(netns)) {
            String why = "the browser test must run in a loopback-only network namespace (FOOBAR_NETNS=" + netns
                    + "); run it through Maven, which starts it with src/test/netns/bin/java (needs unshare -n)";
            if (CI) {
                fail(why);
            }
            System.err.println("note: " + why + "; going on, since only 127.0.0.1 URLs are loaded");
            return;
        }
        // the namespace is real: the browser can see no interface but loopback
        List<String> others = new java.util.ArrayList<>();
        try {
            for (java.net.NetworkInterface nic : java.util.Collections.list(
                    java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isLoopback()) {
                    others.add(nic.getName());
                }
            }
        } catch (java.net.SocketException e) {
            throw new IllegalStateException("cannot list network interfaces", e);
        }
        assertThat(others).as("network interfaces other than loopback in the test's namespace").isEmpty();
    }
}
