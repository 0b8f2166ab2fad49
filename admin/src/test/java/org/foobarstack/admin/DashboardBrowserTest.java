package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * the machine. The page it loads is on 127.0.0.1 and loads nothing from elsewhere. In CI ({@code CI=true} or {@code 1})
 * a missing browser or a missing namespace fails the test; elsewhere it is skipped or noted.
 */
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final boolean CI = String.valueOf(System.getenv("CI")).matches("true|1");
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
                List<String> pageErrors = collectPageErrors(browser);
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

    @Test
    void theHostsOfATopologyAreDrawnWithTheBalancersViewAndTheirButtonsActWithTheToken() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        TraceHub hub = new TraceHub();
        String traceId = new BalancedTrace(hub).recordGetServedByWeb2();
        FakeStack stack = new FakeStack();
        String token = "5e1f0c2d3b4a69788796a5b4c3d2e1f0";

        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), hub, new Metrics(), stack,
                token)) {
            server.start();
            String page = "http://127.0.0.1:" + server.address().getPort() + "/";
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);

                // (1) without the token: the hosts, their tiers, the balancer's servers; the buttons disabled
                browser.navigate(page);
                browser.waitFor("document.querySelectorAll('#topology .host[data-state]').length === 4"
                        + " && document.querySelectorAll('.balancer tr[data-server]').length === 2", 5_000);
                assertThat(browser.evaluate("[...document.querySelectorAll('#topology .host')]"
                        + ".map(h => h.dataset.host)").toString())
                        .isEqualTo("[\"ns1\",\"lb-1\",\"server-1\",\"server-2\"]");
                String server2 = "#topology .host[data-host=\"server-2\"]";
                assertThat(browser.text("document.querySelector('" + server2 + " .host-head').textContent"))
                        .contains("server-2", "127.0.0.12", "running");
                assertThat(browser.evaluate("[...document.querySelectorAll('" + server2 + " .tier')]"
                        + ".map(t => t.dataset.instance)").toString())
                        .isEqualTo("[\"web-2\",\"app-2\",\"db-2\"]");
                assertThat(browser.text("document.querySelector('" + server2 + " .tier[data-tier=\"web\"]')"
                        + ".textContent")).contains("web-2", ":8080", "up", "127.0.0.12:8443/tcp https",
                        "connections 2");
                String web2Row = ".balancer[data-balancer=\"lb-1\"] tr[data-server=\"web-2\"]";
                assertThat(browser.text("document.querySelector('" + web2Row + "').textContent"))
                        .contains("web-2", "UP", "20", "L7OK 200");
                assertThat(browser.text("document.querySelector('" + web2Row + "').dataset.status")).isEqualTo("up");
                assertThat(browser.text("document.querySelector('.balancer .stats-link').href"))
                        .isEqualTo("http://127.0.0.10:8404/stats");
                // drain and ready only where a balancer balances the host's web server
                assertThat(browser.evaluate("[...document.querySelectorAll('" + server2 + " button')]"
                        + ".map(b => b.dataset.action)").toString())
                        .isEqualTo("[\"kill\",\"start\",\"drain\",\"ready\"]");
                assertThat(browser.evaluate("[...document.querySelectorAll('.host[data-host=\"ns1\"] button')]"
                        + ".map(b => b.dataset.action)").toString()).isEqualTo("[\"kill\",\"start\"]");
                String kill2 = server2 + " button[data-action=\"kill\"]";
                assertThat(browser.evaluate("document.querySelector('" + kill2 + "').disabled").asBoolean()).isTrue();
                assertThat(browser.text("document.querySelector('" + kill2 + "').title"))
                        .contains("foobar-stack run", "#token=", "admin.token");

                // the arrows follow a request: a DNS round trip to the side, then the client to the balancer,
                // the balancer to each server, and each web server to its app server, each app to its database
                assertThat(arrows(browser)).contains("dns-query client>dns-1", "dns-answer dns-1>client",
                        "http client>lb-1", "balance lb-1>web-1", "balance lb-1>web-2", "pass web-1>app-1",
                        "pass app-1>db-1", "pass web-2>app-2");
                // DNS answers the client; it never passes the request on
                assertThat(arrows(browser)).filteredOn(arrow -> arrow.contains(" dns-1>"))
                        .containsExactly("dns-answer dns-1>client");
                // databases outside replication: no badge, no lag line, no change log, no replication hint
                assertThat(count(browser, "#topology .repl-badge, #topology .replication")).isZero();
                assertThat(arrows(browser)).noneMatch(arrow -> arrow.startsWith("replicate "));
                assertThat(browser.evaluate("document.getElementById('replication-hint').hidden").asBoolean())
                        .isTrue();

                // the list says which balancer and which web server handled the request
                String row = "#requests tr[data-trace-id=\"" + traceId + "\"]";
                browser.waitFor("document.querySelector('" + row.replace("'", "\\'") + "')", 5_000);
                assertThat(browser.text("document.querySelector('" + row + " .served-by').textContent"))
                        .isEqualTo("lb-1 → web-2");
                browser.screenshot(SCREENSHOTS.resolve("05-distributed.png"));

                // (2) with the link's token: it leaves the address bar, the buttons work
                browser.navigate("about:blank");
                browser.navigate(page + "#token=" + token);
                browser.waitFor("document.querySelector('" + kill2.replace("'", "\\'") + "')"
                        + " && !document.querySelector('" + kill2.replace("'", "\\'") + "').disabled", 5_000);
                assertThat(browser.text("location.href")).isEqualTo(page);
                assertThat(browser.text("sessionStorage.getItem('foobar-stack admin token')")).isEqualTo(token);
                // nothing to start on a running host
                assertThat(browser.evaluate("document.querySelector('" + server2 + " button[data-action=\"start\"]')"
                        + ".disabled").asBoolean()).isTrue();

                browser.click(kill2);
                assertThat(stack.nextCall(5_000)).isEqualTo("server-2 kill");
                browser.waitFor("document.querySelector('" + server2.replace("'", "\\'") + "').dataset.state"
                        + " === 'killed'", 5_000);
                browser.waitFor("document.getElementById('control-status').dataset.state === 'ok'", 5_000);
                assertThat(browser.text("document.getElementById('control-status').textContent"))
                        .contains("server-2", "kill", "server-2 killed");
                browser.waitFor("document.querySelector('" + web2Row.replace("'", "\\'") + "')"
                        + ".dataset.status === 'down'", 5_000);
                assertThat(browser.evaluate("document.querySelector('" + kill2 + "').disabled").asBoolean()).isTrue();
                assertThat(browser.evaluate("document.querySelector('" + server2 + " button[data-action=\"start\"]')"
                        + ".disabled").asBoolean()).isFalse();
                assertThat(browser.text("[...document.querySelectorAll('#topology-arrows g[data-kind=\"balance\"]')]"
                        + ".find(g => g.dataset.to === 'web-2').getAttribute('class')")).contains("hap-down");
                browser.screenshot(SCREENSHOTS.resolve("06-server-2-killed.png"));
                assertThat(stack.callsSoFar()).as("one click, one action").isEmpty();
                assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();

                // (3) a token from another run is refused: the page says so and forgets it
                browser.navigate("about:blank");
                browser.navigate(page + "#token=" + "0".repeat(token.length()));
                String drain1 = ".host[data-host=\"server-1\"] button[data-action=\"drain\"]";
                browser.waitFor("document.querySelector('" + drain1.replace("'", "\\'") + "')"
                        + " && !document.querySelector('" + drain1.replace("'", "\\'") + "').disabled", 5_000);
                browser.click(drain1);
                browser.waitFor("document.getElementById('control-status').dataset.state === 'error'", 5_000);
                assertThat(browser.text("document.getElementById('control-status').textContent"))
                        .contains("403", "wrong token");
                browser.waitFor("document.querySelector('" + drain1.replace("'", "\\'") + "').disabled", 5_000);
                assertThat(browser.evaluate("sessionStorage.getItem('foobar-stack admin token')").isNull()).isTrue();
                assertThat(stack.callsSoFar()).isEmpty();
                // the browser reports the refused request in its console; nothing else went wrong
                assertThat(pageErrors).allSatisfy(error -> assertThat(error).contains("403"));
            }
        }
    }

    @Test
    void replicatedDatabasesShowTheirRoleAndLagAndTheirButtonsPromotePauseResumeAndReattach() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        FakeStack stack = FakeStack.replicated();
        String token = "b1c2d3e4f5061728394a5b6c7d8e9f00";
        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), stack, token)) {
            server.start();
            String page = "http://127.0.0.1:" + server.address().getPort() + "/";
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);
                browser.navigate(page + "#token=" + token);
                String db1 = "#topology .tier[data-instance=\"db-1\"]";
                String db2 = "#topology .tier[data-instance=\"db-2\"]";
                browser.waitFor("document.querySelector('" + db2.replace("'", "\\'") + " .repl-badge')", 5_000);

                // (1) the roles as badges; the replica's source, state and lag; the change log from db-1 to db-2
                assertThat(browser.text("document.querySelector('" + db1 + " .repl-badge').textContent"))
                        .isEqualTo("PRIMARY");
                assertThat(browser.text("document.querySelector('" + db2 + " .repl-badge').textContent"))
                        .isEqualTo("REPLICA");
                assertThat(browser.text("document.querySelector('" + db2 + " .replication').textContent"))
                        .contains("← server-1", "streaming · 0 txn · 0 ms behind");
                assertThat(classOf(browser, db2 + " .replication")).doesNotContain("repl-lagging");
                assertThat(count(browser, db1 + " .replication")).as("a primary has no lag line").isZero();
                assertThat(arrows(browser)).contains("replicate db-1>db-2", "pass app-2>db-1");
                assertThat(replicationArrowClass(browser)).doesNotContain("arrow-lagging", "arrow-down");
                assertThat(browser.evaluate("document.getElementById('replication-hint').hidden").asBoolean())
                        .isFalse();
                browser.screenshot(SCREENSHOTS.resolve("08-replication.png"));

                // (2) the buttons each database's role calls for: on the replica promote and pause, on the
                // primary none
                String server1 = ".host[data-host=\"server-1\"]";
                String server2 = ".host[data-host=\"server-2\"]";
                assertThat(shownButtons(browser, server2)).isEqualTo(
                        "[\"kill\",\"start\",\"drain\",\"ready\",\"promote\",\"pause-replication\"]");
                assertThat(shownButtons(browser, server1)).isEqualTo("[\"kill\",\"start\",\"drain\",\"ready\"]");
                assertThat(browser.text("document.querySelector('" + server2
                        + " button[data-action=\"pause-replication\"]').textContent")).isEqualTo("pause replication");

                // (3) pause: the answer in the status line, the lag line in the warning colour, resume instead
                browser.click(server2 + " button[data-action=\"pause-replication\"]");
                assertThat(stack.nextCall(5_000)).isEqualTo("server-2 pause-replication");
                waitForStatus(browser, "server-2: pause-replication: server-2's replica paused at seq 41");
                browser.waitFor("document.querySelector('" + db2.replace("'", "\\'") + " .replication')"
                        + ".dataset.state === 'paused'", 5_000);
                assertThat(browser.text("document.querySelector('" + db2 + " .replication').textContent"))
                        .contains("← server-1", "paused · 3 txn · 2.4 s behind");
                assertThat(classOf(browser, db2 + " .replication")).contains("repl-lagging");
                assertThat(replicationArrowClass(browser)).contains("arrow-lagging");
                assertThat(shownButtons(browser, server2)).contains("resume-replication")
                        .doesNotContain("pause-replication");
                browser.screenshot(SCREENSHOTS.resolve("09-replica-paused.png"));

                // (4) resume: streaming again
                browser.click(server2 + " button[data-action=\"resume-replication\"]");
                assertThat(stack.nextCall(5_000)).isEqualTo("server-2 resume-replication");
                browser.waitFor("document.querySelector('" + db2.replace("'", "\\'") + " .replication')"
                        + ".dataset.state === 'streaming'", 5_000);
                assertThat(shownButtons(browser, server2)).contains("pause-replication")
                        .doesNotContain("resume-replication");

                // (5) promote server-2: it is the primary, server-1 fenced with re-attach, no change log drawn
                browser.click(server2 + " button[data-action=\"promote\"]");
                assertThat(stack.nextCall(5_000)).isEqualTo("server-2 promote");
                waitForStatus(browser, "server-2: promote: server-2 is the primary");
                browser.waitFor("document.querySelector('" + db1.replace("'", "\\'") + " .repl-badge')"
                        + ".textContent === 'FENCED'", 5_000);
                assertThat(browser.text("document.querySelector('" + db2 + " .repl-badge').textContent"))
                        .isEqualTo("PRIMARY");
                assertThat(shownButtons(browser, server1)).isEqualTo(
                        "[\"kill\",\"start\",\"drain\",\"ready\",\"reattach\"]");
                assertThat(shownButtons(browser, server2)).isEqualTo("[\"kill\",\"start\",\"drain\",\"ready\"]");
                assertThat(arrows(browser)).noneMatch(arrow -> arrow.startsWith("replicate "));
                browser.screenshot(SCREENSHOTS.resolve("10-promoted.png"));

                // (6) re-attach server-1: a replica of server-2 now, the change log drawn the other way round
                browser.click(server1 + " button[data-action=\"reattach\"]");
                assertThat(stack.nextCall(5_000)).isEqualTo("server-1 reattach");
                waitForStatus(browser, "server-1: reattach: server-1 re-attached");
                browser.waitFor("document.querySelector('" + db1.replace("'", "\\'") + " .repl-badge')"
                        + ".textContent === 'REPLICA'", 5_000);
                assertThat(browser.text("document.querySelector('" + db1 + " .replication').textContent"))
                        .contains("← server-2", "streaming · 0 txn · 0 ms behind");
                assertThat(arrows(browser)).contains("replicate db-2>db-1");

                // (7) server-1 killed: its database reports no role, so its replication buttons go; started
                // again, they are back
                browser.click(server1 + " button[data-action=\"kill\"]");
                assertThat(stack.nextCall(5_000)).isEqualTo("server-1 kill");
                browser.waitFor("document.querySelector('" + server1.replace("'", "\\'") + "').dataset.state"
                        + " === 'killed'", 5_000);
                assertThat(shownButtons(browser, server1)).isEqualTo("[\"kill\",\"start\",\"drain\",\"ready\"]");
                assertThat(count(browser, db1 + " .repl-badge")).isZero();
                assertThat(arrows(browser)).noneMatch(arrow -> arrow.startsWith("replicate "));
                assertThat(stack.callsSoFar()).as("one click, one action").isEmpty();
                assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();
            }
        }
    }

    @Test
    void theLastDemoIsChartedOnceADemoHasReported() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        String token = "7a0b1c2d3e4f50617283940a1b2c3d4e";
        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), new FakeStack(), token)) {
            server.start();
            String page = "http://127.0.0.1:" + server.address().getPort() + "/";
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);

                // (1) no demo yet: the page has asked, got 404, and keeps the panel hidden
                browser.navigate(page);
                browser.waitFor("document.querySelectorAll('#topology .host[data-state]').length === 4", 5_000);
                assertThat(browser.evaluate("document.getElementById('demo-panel').hidden").asBoolean()).isTrue();

                // (2) the demo reports two runs: the page, asking every 5 s, draws them without a reload
                HttpResponse<String> stored = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(page + "api/demo"))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString(SpofReportSample.twoRuns())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(stored.statusCode()).isEqualTo(204);
                browser.waitFor("!document.getElementById('demo-panel').hidden"
                        + " && document.querySelectorAll('#demo-runs svg.demo-chart').length === 2", 12_000);
                assertThat(browser.evaluate("[...document.querySelectorAll('#demo-runs .demo-run')]"
                        + ".map(r => r.dataset.topology)").toString()).isEqualTo("[\"simple\",\"distributed\"]");
                // a report without "demo" is demo spof's, which came first: its title and its hint
                assertThat(browser.text("document.getElementById('demo-kind').textContent")).isEqualTo("demo spof");
                assertThat(browser.evaluate("[...document.querySelectorAll('#demo-panel [data-demo-hint]')]"
                        + ".filter(p => !p.hidden).map(p => p.dataset.demoHint)").toString()).isEqualTo("[\"spof\"]");

                String simple = "#demo-runs .demo-run[data-topology=\"simple\"]";
                String distributed = "#demo-runs .demo-run[data-topology=\"distributed\"]";
                // one bar per slice: from the kill until server-1 is up again all red in simple, one red bar there
                assertThat(count(browser, simple + " .slice")).isEqualTo(SpofReportSample.SLICES);
                assertThat(count(browser, simple + " .slice[data-failed=\"25\"] rect.slice-failed")).isEqualTo(20);
                assertThat(count(browser, simple + " .slice[data-start-ms=\"2750\"] rect.slice-failed")).isZero();
                assertThat(count(browser, distributed + " .slice rect.slice-failed")).isEqualTo(1);
                // the same time axis for both: a slice stands at the same x in each chart
                assertThat(attribute(browser, simple + " .slice[data-start-ms=\"3000\"] rect", "x"))
                        .isEqualTo(attribute(browser, distributed + " .slice[data-start-ms=\"3000\"] rect", "x"));

                // the markers: K at the kill, S when the server was up again, and when the balancer noticed
                assertThat(markerLabel(browser, simple, "kill")).isEqualTo("K server-1 killed");
                assertThat(markerLabel(browser, simple, "started")).isEqualTo("S started");
                assertThat(count(browser, simple + " .marker[data-marker=\"noticed\"]")).isZero();
                assertThat(markerLabel(browser, distributed, "kill")).isEqualTo("K server-2 killed");
                assertThat(markerLabel(browser, distributed, "started")).isEqualTo("S started");
                assertThat(markerLabel(browser, distributed, "noticed")).isEqualTo("balancer noticed");
                assertThat(attribute(browser, distributed + " .marker[data-marker=\"noticed\"]", "data-at-ms"))
                        .isEqualTo("3050");
                // the kill and the notice, 49 ms apart, have their labels on two rows rather than on each other
                assertThat(browser.evaluate("(() => { const box = m => document.querySelector('" + distributed
                        + " .marker[data-marker=\"' + m + '\"] text').getBoundingClientRect();"
                        + " const a = box('kill'), b = box('noticed');"
                        + " return a.bottom <= b.top || b.bottom <= a.top; })()").asBoolean()).isTrue();

                // the figures under each chart, and what was killed above it
                assertThat(browser.text("document.querySelector('" + simple + " .demo-figures').textContent"))
                        .contains("sent 1200", "failed 512 (42.7 %)", "unreachable for 5.1 s", "no balancer");
                assertThat(browser.text("document.querySelector('" + distributed + " .demo-figures').textContent"))
                        .contains("sent 1200", "failed 3 (0.3 %)", "unreachable for 0 ms",
                                "balancer noticed after 49 ms");
                assertThat(browser.text("document.querySelector('" + simple + " h3').textContent"))
                        .contains("simple", "killed server-1 (dns-1, web-1, app-1, db-1) at 3.0 s",
                                "up again at 8.1 s", "it held the database");
                browser.evaluate("document.getElementById('demo-panel').scrollIntoView()");
                browser.screenshot(SCREENSHOTS.resolve("07-last-demo.png"));
                assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();
            }
        }
    }

    /** The actions of a host's buttons that are shown (not hidden), in their order. */
    private static String shownButtons(HeadlessChromium browser, String host) throws Exception {
        return browser.evaluate("[...document.querySelectorAll('" + host + " button')].filter(b => !b.hidden)"
                + ".map(b => b.dataset.action)").toString();
    }

    private static String classOf(HeadlessChromium browser, String selector) throws Exception {
        return browser.text("document.querySelector('" + selector + "').className");
    }

    /** The class of the (one) change log arrow. */
    private static String replicationArrowClass(HeadlessChromium browser) throws Exception {
        return browser.text("document.querySelector('#topology-arrows g[data-kind=\"replicate\"]')"
                + ".getAttribute('class')");
    }

    /** Waits until the status line above the picture shows an answer, and checks that it starts so. */
    private static void waitForStatus(HeadlessChromium browser, String start) throws Exception {
        browser.waitFor("document.getElementById('control-status').dataset.state === 'ok'"
                + " && document.getElementById('control-status').textContent.startsWith('"
                + start.replace("'", "\\'") + "')", 5_000);
    }

    static int count(HeadlessChromium browser, String selector) throws Exception {
        return browser.evaluate("document.querySelectorAll('" + selector + "').length").asInt();
    }

    static String attribute(HeadlessChromium browser, String selector, String name) throws Exception {
        return browser.text("document.querySelector('" + selector + "').getAttribute('" + name + "')");
    }

    static String markerLabel(HeadlessChromium browser, String run, String marker) throws Exception {
        return browser.text("document.querySelector('" + run + " .marker[data-marker=\"" + marker + "\"] text')"
                + ".textContent");
    }

    /**
     * Script errors and refused loads of the page, as the browser reports them. Five refusals are expected and
     * left out: {@code GET /api/demo} answers 404 until a demo has reported (the page asks every 5 s),
     * {@code GET /api/operation} until a deploy or a scaling has run (every second),
     * {@code GET /api/monitoring/summary} in a design without a monitoring server (every 2 s),
     * {@code GET /api/links} in a stack whose tiers connect direct (asked once), and
     * {@code GET /api/traces/{id}/packets} for a request no {@code walk --packets} has sent packets of.
     */
    static List<String> collectPageErrors(HeadlessChromium browser) {
        List<String> pageErrors = new CopyOnWriteArrayList<>();
        browser.onEvent(event -> {
            String method = event.path("method").asText();
            JsonNode params = event.path("params");
            if (method.equals("Runtime.exceptionThrown")) {
                pageErrors.add(params.path("exceptionDetails").toString());
            } else if (method.equals("Log.entryAdded") && params.path("entry").path("level").asText()
                    .equals("error")) {
                JsonNode entry = params.path("entry");
                String url = entry.path("url").asText();
                boolean nothingYet = (url.endsWith("/api/demo") || url.endsWith("/api/operation")
                        || url.endsWith("/api/monitoring/summary") || url.endsWith("/api/links")
                        || url.endsWith("/packets"))
                        && entry.path("text").asText().contains("404");
                if (!nothingYet) {
                    pageErrors.add(entry.path("text").asText());
                }
            }
        });
        return pageErrors;
    }

    /** The arrows drawn, as "kind from>to". */
    private static List<String> arrows(HeadlessChromium browser) throws Exception {
        JsonNode list = browser.evaluate("[...document.querySelectorAll('#topology-arrows g[data-kind]')]"
                + ".map(g => g.dataset.kind + ' ' + g.dataset.from + '>' + g.dataset.to)");
        List<String> arrows = new java.util.ArrayList<>();
        list.forEach(node -> arrows.add(node.asText()));
        return arrows;
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

    static void requireChromiumAndLoopbackOnlyNetwork() {
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
