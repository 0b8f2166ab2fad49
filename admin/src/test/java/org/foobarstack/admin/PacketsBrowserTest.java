package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.admin.DashboardBrowserTest.CHROMIUM;
import static org.foobarstack.admin.DashboardBrowserTest.SCREENSHOTS;
import static org.foobarstack.admin.DashboardBrowserTest.attribute;
import static org.foobarstack.admin.DashboardBrowserTest.collectPageErrors;
import static org.foobarstack.admin.DashboardBrowserTest.count;
import static org.foobarstack.admin.DashboardBrowserTest.requireChromiumAndLoopbackOnlyNetwork;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceJson;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.Test;

/**
 * The step-through's "packets" view in headless Chromium, driven as {@link DashboardBrowserTest} drives the page
 * (same browser, same loopback-only namespace, same rule in CI: a missing browser or namespace fails the test).
 *
 * <p>The trace and its packets are a real walk's: {@code walk --json --packets --cacert data/web/tls/ca.pem
 * https://www.foobar.com/} against the running stack, as root, recorded in {@code walk-packets-https.json} (what
 * the walk sent to the admin server). The stack's hops of that trace (its {@code server.trace}) go into the hub,
 * the packets are sent as the walk sends them ({@code PUT /api/traces/{id}/packets} with the token), and the page
 * must show, under the DNS server's query hop, the query's UDP datagram, and under the web server's hops of the
 * HTTPS connection, the TCP three-way handshake, the ClientHello and the request's segment, each packet's headers
 * with their layers and byte offsets. Screenshots go to {@code admin/target/screenshots/}.
 */
class PacketsBrowserTest {

    private static final String TOKEN = "5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theStepThroughShowsTheDatagramOfTheDnsHopAndTheHandshakeOfTheHttpConnection() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        byte[] walk = TracePacketsRoutesTest.walkFixture();
        JsonNode recorded = JSON.readTree(walk);
        String traceId = recorded.get("traceId").asText();
        TraceHub hub = new TraceHub();
        Trace serverSide = new TraceJson().read(JSON.writeValueAsString(recorded.get("server").get("trace")));
        TraceRecorder recorder = hub.newRecorder("stack", "recorded");
        for (Hop hop : serverSide.hops()) {
            recorder.record(hop);
        }
        // a request no walk captured packets of: its hops show their fields only
        String plainTrace = new FourTierTrace(hub).recordGet(0);
        List<String> hops = serverSide.hops().stream().map(h -> h.tier() + " " + h.protocol() + " "
                + h.direction().word()).toList();
        assertThat(hops).startsWith("dns DNS received", "dns DNS sent", "web TCP received", "web TLS received",
                "web HTTP received");

        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), hub, new Metrics(),
                StackControl.readOnly(List::of), TOKEN)) {
            server.start();
            String page = "http://127.0.0.1:" + server.address().getPort() + "/";
            HttpResponse<String> stored = http.send(HttpRequest.newBuilder(
                            URI.create(page + "api/traces/" + traceId + "/packets"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(walk)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(stored.statusCode()).as(stored.body()).isEqualTo(204);

            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);

                // (1) the walked trace, at its first hop, the DNS server's query: fields, and the choice of packets
                browser.navigate(page + "#trace=" + traceId + "&hop=1");
                browser.waitFor("document.getElementById('hop-views')?.hidden === false", 10_000);
                assertThat(browser.text("document.getElementById('view-packets').textContent"))
                        .isEqualTo("packets (1)");
                assertThat(browser.evaluate("document.getElementById('packets').hidden").asBoolean()).isTrue();
                browser.click("#view-packets");
                browser.waitFor("!document.getElementById('packets').hidden", 5_000);
                assertThat(browser.evaluate("document.getElementById('fields').hidden").asBoolean()).isTrue();
                // the walk's UDP socket: the query (this message) and the answer, one datagram each
                assertThat(rows(browser)).containsExactly("#1 UDP mine", "#2 UDP");
                assertThat(attribute(browser, "#packet-detail", "data-number")).isEqualTo("1");
                assertThat(layers(browser)).containsExactly("link", "internet", "transport", "application");
                assertThat(line(browser, "Transport layer: User Datagram Protocol"))
                        .startsWith("transport Transport layer: User Datagram Protocol [34+8] ");
                assertThat(line(browser, "Destination port")).endsWith("[36+2] "
                        + recorded.get("client").get(0).get("socket").get("server").asText().split(":")[1]);
                assertThat(line(browser, "Application layer: Domain Name System")).contains("[42+", "query id");
                browser.evaluate("document.getElementById('trace-panel').scrollIntoView()");
                browser.screenshot(SCREENSHOTS.resolve("packets-dns-datagram.png"));

                // (2) next, twice: the web server's accept, the connection's three-way handshake marked
                browser.click("#hop-next");
                browser.click("#hop-next");
                browser.waitFor("document.getElementById('hop-detail')?.dataset.hopIndex === '2'", 5_000);
                browser.waitFor("document.querySelectorAll('#packets-table tr[data-mine=\"true\"]').length === 3",
                        5_000);
                assertThat(rows(browser).stream().filter(row -> row.endsWith(" mine")))
                        .containsExactly("#3 SYN mine", "#4 SYN, ACK mine", "#5 ACK mine");
                assertThat(attribute(browser, "#packet-detail", "data-number")).isEqualTo("3");
                assertThat(line(browser, "Sequence number")).startsWith("Sequence number [38+4] 0 (relative), ");
                assertThat(line(browser, "transport", "Flags")).isEqualTo("Flags [46+2] 0x002 (SYN)");
                browser.click("#packets-table tr[data-number=\"4\"]");
                browser.waitFor("document.getElementById('packet-detail')?.dataset.number === '4'", 5_000);
                assertThat(line(browser, "Acknowledgment number")).startsWith("Acknowledgment number [42+4] 1 (relative), ");
                browser.screenshot(SCREENSHOTS.resolve("packets-tcp-handshake.png"));

                // (3) the TLS handshake's hop: its first packet is the walk's ClientHello, in a TLS record
                browser.click("#hop-next");
                browser.waitFor("document.getElementById('hop-detail')?.dataset.hopIndex === '3'", 5_000);
                browser.waitFor("document.getElementById('packet-detail')?.dataset.number === '6'", 5_000);
                assertThat(browser.text("document.querySelector('#packet-detail .packet-info').textContent"))
                        .contains("TLS: Handshake ClientHello");
                assertThat(line(browser, "Application layer: Transport Layer Security"))
                        .startsWith("application Application layer: Transport Layer Security [66+");

                // (4) the HTTP request's hop: the same connection, handshake first, the request's segment marked
                browser.click("#hop-next");
                browser.waitFor("document.getElementById('hop-detail')?.dataset.hopIndex === '4'", 5_000);
                browser.waitFor("document.querySelector('#packets-table tr[data-mine=\"true\"]') !== null"
                        + " && document.getElementById('packet-detail')?.dataset.number !== '6'", 5_000);
                List<String> http = rows(browser);
                assertThat(http.subList(0, 3)).containsExactly("#3 SYN", "#4 SYN, ACK", "#5 ACK");
                assertThat(http).filteredOn(row -> row.endsWith(" mine")).first().asString().startsWith("#14 PSH, ACK");

                // (5) back to the fields: the packets view hides
                browser.click("#view-fields");
                browser.waitFor("document.getElementById('packets').hidden", 5_000);
                assertThat(browser.evaluate("document.getElementById('fields').hidden").asBoolean()).isFalse();
                assertThat(count(browser, "#fields li[data-depth=\"0\"]")).isPositive();

                // (6) a request no walk captured packets of: no views to choose from, the fields as always
                browser.click("#requests tr[data-trace-id=\"" + plainTrace + "\"]");
                browser.waitFor("location.hash.includes('" + plainTrace + "')", 5_000);
                browser.waitFor("document.getElementById('hop-views').hidden", 5_000);
                assertThat(browser.evaluate("document.getElementById('fields').hidden").asBoolean()).isFalse();
                assertThat(browser.evaluate("document.getElementById('packets').hidden").asBoolean()).isTrue();
                assertThat(pageErrors).isEmpty();
            }
        }
    }

    /** The packet list's rows as "#3 SYN, ACK mine": number, flags (UDP for a datagram), and whether it is this hop's. */
    private static List<String> rows(HeadlessChromium browser) throws Exception {
        JsonNode rows = browser.evaluate("[...document.querySelectorAll('#packets-table tbody tr')]"
                + ".map(tr => '#' + tr.dataset.number + ' ' + tr.dataset.flags"
                + " + (tr.dataset.mine === 'true' ? ' mine' : ''))");
        List<String> out = new java.util.ArrayList<>();
        rows.forEach(row -> out.add(row.asText()));
        return out;
    }

    private static List<String> layers(HeadlessChromium browser) throws Exception {
        JsonNode layers = browser.evaluate("[...document.querySelectorAll('#packet-fields li[data-layer]')]"
                + ".map(li => li.dataset.layer)");
        List<String> out = new java.util.ArrayList<>();
        layers.forEach(layer -> out.add(layer.asText()));
        return out;
    }

    /** The first line of the selected packet's field with that name, its parts apart: layer, name, range, value. */
    private static String line(HeadlessChromium browser, String name) throws Exception {
        return line(browser, "", name);
    }

    /** The same, for a field of one layer's header ("transport": TCP's Flags, not IPv4's). */
    private static String line(HeadlessChromium browser, String layer, String name) throws Exception {
        String scope = layer.isEmpty() ? "" : "li[data-layer=\"" + layer + "\"] ";
        return browser.text("[...document.querySelector(" + JSON.writeValueAsString("#packet-fields " + scope
                + "li[data-field-name=" + JSON.writeValueAsString(name) + "] > .line") + ").children].filter(part => part.textContent"
                + " && !part.classList.contains('twisty')).map(part => part.textContent).join(' ')");
    }
}
