package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.admin.DashboardBrowserTest.CHROMIUM;
import static org.foobarstack.admin.DashboardBrowserTest.SCREENSHOTS;
import static org.foobarstack.admin.DashboardBrowserTest.attribute;
import static org.foobarstack.admin.DashboardBrowserTest.collectPageErrors;
import static org.foobarstack.admin.DashboardBrowserTest.count;
import static org.foobarstack.admin.DashboardBrowserTest.markerLabel;
import static org.foobarstack.admin.DashboardBrowserTest.requireChromiumAndLoopbackOnlyNetwork;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's operation panel and the charts of demo deploy and demo scale, in headless Chromium, as
 * {@link DashboardBrowserTest} drives it (same browser, same loopback-only namespace, same rule in CI: a missing
 * browser or namespace fails the test). The stack is a {@link FakeStack}: the test starts a deploy through the
 * admin server, as {@code foobar-stack deploy} does, then moves the operation on itself, step by step, and looks
 * at what the page shows after each move. The demo reports are sent as the demo commands send them
 * ({@code PUT /api/demo} with the token). Screenshots go to {@code admin/target/screenshots/}.
 */
class OperationAndDemoBrowserTest {

    private static final String TOKEN = "4d5e6f708192a3b4c5d6e7f801234567";
    private static final String APP_V1 = "app server v1, capacity 50/s (emulated)";
    private static final String APP_V2 = "app server v2, capacity 50/s (emulated)";
    /** Enough steps that the list scrolls: two servers replaced one after the other, plus the stack's own. */
    private static final List<String> ROLLING_STEPS = List.of(
            "drain at lb-1: no new requests, those in progress finish",
            "no request in progress (waited 11 ms)",
            "stopped gracefully: web, app",
            "started with v2 in 48 ms",
            "health check passed at lb-1 after 1000 ms: UP",
            "ready at lb-1: takes requests again");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aDeployIsFollowedStepByStepWithItsHostsOutlinedUntilItEnds() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        FakeStack stack = new FakeStack();
        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), stack, TOKEN)) {
            server.start();
            String page = "http://127.0.0.1:" + server.address().getPort() + "/";
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);

                // (1) nothing has run: the panel stays hidden; each app server says its version and capacity
                browser.navigate(page);
                browser.waitFor("document.querySelectorAll('#topology .host[data-state]').length === 4", 5_000);
                assertThat(browser.evaluate("document.getElementById('operation-panel').hidden").asBoolean())
                        .isTrue();
                assertThat(tierText(browser, "app-1")).contains("app-1", APP_V1, "FastCGI");
                assertThat(tierText(browser, "app-2")).contains(APP_V1);

                // (2) a rolling deploy is asked for: the panel appears, running, with what rolling means
                HttpResponse<String> accepted = post(page + "api/deploy?version=v2&strategy=rolling");
                assertThat(accepted.statusCode()).isEqualTo(202);
                assertThat(stack.nextCall(0)).isEqualTo("deploy v2 rolling");
                browser.waitFor("!document.getElementById('operation-panel').hidden", 5_000);
                assertThat(text(browser, "operation-description")).isEqualTo("deploy v2 to distributed, rolling");
                assertThat(text(browser, "operation-state")).isEqualTo("running");
                assertThat(text(browser, "operation-hint")).contains("one server at a time", "both versions answer");
                assertThat(browser.evaluate("document.getElementById('operation-empty').hidden").asBoolean())
                        .isFalse();
                assertThat(browser.evaluate("document.getElementById('operation-result').hidden").asBoolean())
                        .isTrue();

                // (3) server-1's first steps: listed in order with their time and host, server-1 outlined
                Operation deploy = stack.lastOperation();
                deploy.step("server-1", ROLLING_STEPS.get(0));
                deploy.step("server-1", ROLLING_STEPS.get(1));
                waitForSteps(browser, 2);
                assertThat(browser.evaluate("[...document.querySelectorAll('#operation-steps li')]"
                        + ".map(li => li.querySelector('.step-host').textContent + ' ' "
                        + "+ li.querySelector('.step-text').textContent)").toString())
                        .isEqualTo("[\"server-1 " + ROLLING_STEPS.get(0) + "\",\"server-1 " + ROLLING_STEPS.get(1)
                                + "\"]");
                assertThat(browser.text("document.querySelector('#operation-steps li .step-time').textContent"))
                        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}");
                assertThat(hostMark(browser, "server-1")).isEqualTo("current");
                assertThat(hostMark(browser, "server-2")).isNull();

                // (4) server-1 runs v2 now; then server-2's turn, and a list longer than its box
                stack.runVersion("server-1", "v2");
                for (String step : ROLLING_STEPS.subList(2, ROLLING_STEPS.size())) {
                    deploy.step("server-1", step);
                }
                for (String step : ROLLING_STEPS) {
                    deploy.step("server-2", step);
                }
                int steps = 2 * ROLLING_STEPS.size();
                waitForSteps(browser, steps);
                assertThat(browser.text("document.querySelector('#operation-steps li:last-child').textContent"))
                        .contains("server-2", ROLLING_STEPS.get(ROLLING_STEPS.size() - 1));
                assertThat(hostMark(browser, "server-1")).isEqualTo("touched");
                assertThat(hostMark(browser, "server-2")).isEqualTo("current");
                // newest at the bottom, and the list follows it while the deploy runs
                assertThat(browser.evaluate("(() => { const l = document.getElementById('operation-steps');"
                        + " return l.scrollHeight > l.clientHeight; })()").asBoolean())
                        .as("the list is longer than its box").isTrue();
                browser.waitFor("(() => { const l = document.getElementById('operation-steps');"
                        + " return l.scrollTop + l.clientHeight >= l.scrollHeight - 1; })()", 5_000);
                // the topology's next refresh shows server-1's new version
                browser.waitFor("document.querySelector('#topology .tier[data-instance=\"app-1\"]')"
                        + ".textContent.includes('" + APP_V2 + "')", 5_000);
                assertThat(tierText(browser, "app-2")).contains(APP_V1);
                browser.evaluate("document.getElementById('topology-panel').scrollIntoView()");
                browser.screenshot(SCREENSHOTS.resolve("11-deploy-running.png"));

                // (5) it ends: done, its result, no host outlined any more, the steps kept
                stack.runVersion("server-2", "v2");
                deploy.done("every server runs v2 (2 restarted one at a time; the others took the requests "
                        + "meanwhile)");
                browser.waitFor("document.getElementById('operation-state').textContent === 'done'", 5_000);
                assertThat(text(browser, "operation-result"))
                        .isEqualTo("every server runs v2 (2 restarted one at a time; the others took the requests "
                                + "meanwhile)");
                assertThat(browser.evaluate("document.getElementById('operation-result').hidden").asBoolean())
                        .isFalse();
                assertThat(text(browser, "operation-time")).startsWith("started ").contains(", took ");
                assertThat(count(browser, "#operation-steps li")).isEqualTo(steps);
                assertThat(count(browser, "#topology .host[data-operation]")).isZero();
                browser.waitFor("document.querySelector('#topology .tier[data-instance=\"app-2\"]')"
                        + ".textContent.includes('" + APP_V2 + "')", 5_000);
                browser.evaluate("document.getElementById('operation-panel').scrollIntoView()");
                browser.screenshot(SCREENSHOTS.resolve("12-deploy-done.png"));

                // (6) then a scaling, which fails: the panel shows the new operation, its hint, and the failure
                HttpResponse<String> scaling = post(page + "api/scale?role=web&count=3");
                assertThat(scaling.statusCode()).isEqualTo(202);
                assertThat(stack.nextCall(0)).isEqualTo("scale web 3");
                browser.waitFor("document.getElementById('operation-description').textContent"
                        + " === 'scale web from 2 to 3 in distributed'", 5_000);
                assertThat(text(browser, "operation-state")).isEqualTo("running");
                assertThat(text(browser, "operation-hint")).contains("Scaling out starts new servers");
                assertThat(count(browser, "#operation-steps li")).as("the deploy's steps are gone").isZero();
                Operation scale = stack.lastOperation();
                scale.step("server-3", "failed: no free address left in 127.0.0.0/24");
                scale.failed("no free address left in 127.0.0.0/24");
                browser.waitFor("document.getElementById('operation-state').textContent === 'failed'", 5_000);
                assertThat(text(browser, "operation-result")).isEqualTo("no free address left in 127.0.0.0/24");
                assertThat(browser.text("document.getElementById('operation-state').dataset.state"))
                        .isEqualTo("failed");
                assertThat(count(browser, "#topology .host[data-operation]")).isZero();
                assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();
            }
        }
    }

    @Test
    void aDeployDemoIsChartedOneRunPerDesignEachSecondSplitByVersion() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), new FakeStack(), TOKEN)) {
            server.start();
            String page = "http://127.0.0.1:" + server.address().getPort() + "/";
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);
                browser.navigate(page);
                browser.waitFor("document.querySelectorAll('#topology .host[data-state]').length === 4", 5_000);

                // (1) demo deploy reports its two runs: one chart each, titled and explained as a deploy
                assertThat(putDemo(page, DeployReportSample.twoRuns()).statusCode()).isEqualTo(204);
                browser.navigate(page); // the page reads the report at once, not at its next 5 s refresh
                browser.waitFor("document.readyState === 'complete' && document.getElementById('demo-panel') !== null",
                        5_000);
                browser.waitFor("!document.getElementById('demo-panel').hidden"
                        + " && document.querySelectorAll('#demo-runs svg.demo-chart').length === 2", 12_000);
                assertThat(browser.text("document.getElementById('demo-panel').dataset.demo")).isEqualTo("deploy");
                assertThat(text(browser, "demo-kind")).isEqualTo("demo deploy");
                assertThat(text(browser, "demo-title")).isEqualTo("simple (all-at-once) · distributed (rolling)");
                assertThat(shownHints(browser)).isEqualTo("[\"deploy\"]");
                assertThat(browser.evaluate("[...document.querySelectorAll('#demo-runs .demo-run')]"
                        + ".map(r => r.dataset.topology + ' ' + r.dataset.strategy)").toString())
                        .isEqualTo("[\"simple all-at-once\",\"distributed rolling\"]");

                // (2) one bar per second; all at once: v1 before the deploy, v2 after, the 5 failed in second 3
                String simple = "#demo-runs .demo-run[data-topology=\"simple\"]";
                String distributed = "#demo-runs .demo-run[data-topology=\"distributed\"]";
                assertThat(count(browser, simple + " .second")).isEqualTo(DeployReportSample.SECONDS);
                assertThat(count(browser, distributed + " .second")).isEqualTo(DeployReportSample.SECONDS);
                assertThat(series(browser, simple, 0)).isEqualTo("[\"v1\"]");
                assertThat(series(browser, simple, 3)).isEqualTo("[\"v1\",\"v2\",\"failed\"]");
                assertThat(series(browser, simple, 4)).isEqualTo("[\"v2\"]");
                assertThat(count(browser, simple + " rect.part-failed")).isEqualTo(1);
                assertThat(attribute(browser, simple + " .second[data-second=\"3\"]", "data-failed")).isEqualTo("5");
                // rolling: both versions answer while it runs, seconds 3 to 5, and nothing fails
                assertThat(count(browser, distributed + " rect.part-v1")).isEqualTo(6);
                assertThat(count(browser, distributed + " rect.part-v2")).isEqualTo(13);
                assertThat(count(browser, distributed + " rect.part-failed")).isZero();
                assertThat(series(browser, distributed, 4)).isEqualTo("[\"v1\",\"v2\"]");
                // the same time axis for both runs
                assertThat(attribute(browser, simple + " .second[data-second=\"3\"] rect", "x"))
                        .isEqualTo(attribute(browser, distributed + " .second[data-second=\"3\"] rect", "x"));

                // (3) the legend, the deploy's start and end, the figures and the steps
                assertThat(browser.evaluate("[...document.querySelectorAll('" + simple + " .demo-legend .legend')]"
                        + ".map(e => e.textContent)").toString())
                        .isEqualTo("[\"answered by v1\",\"answered by v2\",\"failed (no answer or a 5xx)\"]");
                assertThat(markerLabel(browser, simple, "deploy-start")).isEqualTo("deploy began");
                assertThat(markerLabel(browser, simple, "deploy-end")).isEqualTo("deploy ended");
                assertThat(attribute(browser, distributed + " .marker[data-marker=\"deploy-end\"]", "data-at-ms"))
                        .isEqualTo("5400");
                assertThat(count(browser, simple + " rect.deploy-window")).isEqualTo(1);
                assertThat(browser.text("document.querySelector('" + simple + " .demo-figures').textContent"))
                        .contains("sent 1600", "failed 5 (0.3 %)", "downtime 0 ms", "the deploy took 53 ms");
                assertThat(browser.text("document.querySelector('" + distributed + " .demo-figures').textContent"))
                        .contains("sent 1600", "failed 0 (0.0 %)", "the deploy took 2.4 s");
                assertThat(browser.text("document.querySelector('" + simple + " h3').textContent"))
                        .contains("simple", "all-at-once: deployed from 3.0 s to 3.1 s");
                assertThat(browser.text("document.querySelector('" + distributed + " .demo-steps summary')"
                        + ".textContent")).isEqualTo("the deploy's 12 steps");
                assertThat(count(browser, distributed + " .demo-steps li")).isEqualTo(12);
                browser.evaluate("document.getElementById('demo-panel').scrollIntoView()");
                browser.screenshot(SCREENSHOTS.resolve("13-demo-deploy.png"));

                // (4) a report of a demo this page does not know: one line saying so, no chart, no hint
                assertThat(putDemo(page, "{\"demo\": \"chaos\", \"faults\": [1, 2]}").statusCode()).isEqualTo(204);
                browser.navigate(page); // the page reads the report at once, not at its next 5 s refresh
                browser.waitFor("document.readyState === 'complete' && document.getElementById('demo-panel') !== null",
                        5_000);
                browser.waitFor("document.getElementById('demo-panel').dataset.demo === 'unknown'", 12_000);
                assertThat(browser.text("document.querySelector('#demo-runs .demo-message').textContent"))
                        .contains("\"demo chaos\"", "does not draw");
                assertThat(count(browser, "#demo-runs svg")).isZero();
                assertThat(shownHints(browser)).isEqualTo("[]");
                assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();
            }
        }
    }

    @Test
    void aScaleDemoIsChartedOneBarPerStepWithTheOfferedRateAndTheEmulatedCapacity() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), new FakeStack(), TOKEN)) {
            server.start();
            String page = "http://127.0.0.1:" + server.address().getPort() + "/";
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);
                browser.navigate(page);
                browser.waitFor("document.querySelectorAll('#topology .host[data-state]').length === 4", 5_000);

                assertThat(putDemo(page, ScaleReportSample.fiveSteps()).statusCode()).isEqualTo(204);
                browser.navigate(page); // the page reads the report at once, not at its next 5 s refresh
                browser.waitFor("document.readyState === 'complete' && document.getElementById('demo-panel') !== null",
                        5_000);
                browser.waitFor("!document.getElementById('demo-panel').hidden"
                        + " && document.querySelectorAll('#demo-runs .scale-step').length === "
                        + ScaleReportSample.STEPS, 12_000);
                assertThat(text(browser, "demo-kind")).isEqualTo("demo scale");
                assertThat(text(browser, "demo-title")).isEqualTo("5 steps, 1 to 4 servers");
                assertThat(shownHints(browser)).isEqualTo("[\"scale\"]");

                // one bar per step, labelled with its servers, the rate offered, p99 and errors
                assertThat(labels(browser, "step-servers"))
                        .isEqualTo("[\"1 server\",\"1 server\",\"1 server\",\"2 servers\",\"4 servers\"]");
                assertThat(labels(browser, "step-offered"))
                        .isEqualTo("[\"25/s offered\",\"50/s offered\",\"100/s offered\",\"100/s offered\","
                                + "\"200/s offered\"]");
                assertThat(labels(browser, "step-p99")).contains("\"p99 49.3 ms\"", "\"p99 210.7 ms\"");
                assertThat(labels(browser, "step-errors"))
                        .isEqualTo("[\"0 errors\",\"0 errors\",\"249 errors\",\"0 errors\",\"0 errors\"]");
                assertThat(count(browser, "#demo-runs .step-errors.errors-bad")).isEqualTo(1);
                assertThat(count(browser, "#demo-runs .scale-step line.offered")).isEqualTo(ScaleReportSample.STEPS);
                // past one server's capacity the bar flattens under the offered line; a second server lifts it
                String third = "#demo-runs .scale-step:nth-of-type(3)";
                String fourth = "#demo-runs .scale-step:nth-of-type(4)";
                assertThat(attribute(browser, third, "data-served")).isEqualTo("50.2");
                assertThat(number(browser, third + " line.offered", "y1"))
                        .as("the offered line stands above the served bar").isLessThan(number(browser,
                                third + " rect.served", "y"));
                assertThat(number(browser, fourth + " rect.served", "height"))
                        .isGreaterThan(1.9 * number(browser, third + " rect.served", "height"));
                assertThat(browser.text("document.querySelector('#demo-runs .demo-capacity').textContent"))
                        .startsWith("capacity is emulated: every host shares this machine's cores, each app server "
                                + "serves at most 50 requests/s");
                browser.evaluate("document.getElementById('demo-panel').scrollIntoView()");
                browser.screenshot(SCREENSHOTS.resolve("14-demo-scale.png"));
                assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();
            }
        }
    }

    private HttpResponse<String> post(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> putDemo(String page, String report) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(page + "api/demo"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(report)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String text(HeadlessChromium browser, String id) throws Exception {
        return browser.text("document.getElementById('" + id + "').textContent");
    }

    private static String tierText(HeadlessChromium browser, String instance) throws Exception {
        return browser.text("document.querySelector('#topology .tier[data-instance=\"" + instance + "\"]')"
                + ".textContent");
    }

    /** A host box's outline for the running operation: "current", "touched", or null. */
    private static String hostMark(HeadlessChromium browser, String host) throws Exception {
        return browser.text("document.querySelector('#topology .host[data-host=\"" + host + "\"]')"
                + ".dataset.operation ?? null");
    }

    private static void waitForSteps(HeadlessChromium browser, int steps) throws Exception {
        browser.waitFor("document.querySelectorAll('#operation-steps li').length === " + steps, 5_000);
    }

    /** The parts of one second's bar, from the axis up. */
    private static String series(HeadlessChromium browser, String run, int second) throws Exception {
        return browser.evaluate("[...document.querySelectorAll('" + run + " .second[data-second=\"" + second
                + "\"] rect')].map(r => r.dataset.series)").toString();
    }

    /** Which of the demo panel's hints are shown. */
    private static String shownHints(HeadlessChromium browser) throws Exception {
        return browser.evaluate("[...document.querySelectorAll('#demo-panel [data-demo-hint]')]"
                + ".filter(p => !p.hidden).map(p => p.dataset.demoHint)").toString();
    }

    /** One row of the scale chart's labels, bar by bar. */
    private static String labels(HeadlessChromium browser, String row) throws Exception {
        return browser.evaluate("[...document.querySelectorAll('#demo-runs .scale-step .step-label." + row + "')]"
                + ".map(t => t.textContent)").toString();
    }

    private static double number(HeadlessChromium browser, String selector, String attribute) throws Exception {
        return Double.parseDouble(attribute(browser, selector, attribute));
    }
}
