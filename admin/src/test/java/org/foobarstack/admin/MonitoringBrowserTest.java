package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.admin.DashboardBrowserTest.CHROMIUM;
import static org.foobarstack.admin.DashboardBrowserTest.SCREENSHOTS;
import static org.foobarstack.admin.DashboardBrowserTest.attribute;
import static org.foobarstack.admin.DashboardBrowserTest.collectPageErrors;
import static org.foobarstack.admin.DashboardBrowserTest.count;
import static org.foobarstack.admin.DashboardBrowserTest.requireChromiumAndLoopbackOnlyNetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's monitoring panel in headless Chromium, as {@link DashboardBrowserTest} drives it (same browser,
 * same loopback-only namespace, same rule in CI: a missing browser or namespace fails the test). The stack is a
 * {@link FakeStack} that names a real monitoring server ({@link MonitoringFixture}) which the test feeds with
 * pushes over HTTP, on a clock it moves itself, so the numbers on the page are exact and stay put between the
 * page's reads. Screenshots go to {@code admin/target/screenshots/}.
 */
class MonitoringBrowserTest {

    private static final String RED = "rgb(210, 59, 59)";
    private static final String AMBER = "rgb(224, 161, 0)";
    private static final String GREY = "rgb(138, 147, 163)";
    private static final String GREEN = "rgb(31, 157, 85)";

    /**
     * The n-th second of traffic, as each host's client pushes it: lb-1 answers 200 requests a second, web-1 100
     * (5 of them 503, 10 of them slower than 5 ms), web-2 100, and server-2's replica lags 2.5 s.
     */
    private static void pushSecond(MonitoringFixture monitoring, long n, boolean server2) throws Exception {
        monitoring.push("lb-1", MonitoringFixture.webInstance("lb-1", 200 * n, 0, 200 * n));
        monitoring.push("server-1", MonitoringFixture.webInstance("web-1", 95 * n, 5 * n, 90 * n));
        if (server2) {
            monitoring.push("server-2", MonitoringFixture.webInstance("web-2", 100 * n, 0, 100 * n)
                    + MonitoringFixture.replicaLag("db-2", 2.5));
        }
    }

    @Test
    void theMonitoringPanelShowsHostsRatesLagsAndAlertRulesWhileTheDesignHasAMonitoringServer() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        // ns1 is expected and never pushes; HighRequestRate goes pending above 50 requests/s
        MonitoringFixture monitoring = new MonitoringFixture(Set.of("ns1", "lb-1", "server-1", "server-2"), 50);
        try (monitoring) {
            monitoring.advanceSeconds(3);
            for (long n = 0; n <= 6; n++) { // seven pushes a second apart, from 3 s to 9 s on its clock
                if (n > 0) {
                    monitoring.advanceSeconds(1);
                }
                pushSecond(monitoring, n, true);
            }
            monitoring.evaluateAlerts();
            FakeStack stack = new FakeStack();
            stack.monitoringServer(monitoring.address());

            try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                    new Metrics(), stack, null)) {
                server.start();
                try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM,
                        SCREENSHOTS.resolve("chromium.log"))) {
                    List<String> pageErrors = collectPageErrors(browser);
                    browser.navigate("http://127.0.0.1:" + server.address().getPort() + "/");

                    // (1) the panel appears, a badge per host: green while it pushes, red when it never has
                    // (a selector, not getElementById: until the page has loaded there is no element to ask)
                    browser.waitFor("document.querySelectorAll('#monitoring:not([hidden]) .monitor-host').length"
                            + " === 4", 10_000);
                    assertThat(browser.evaluate("[...document.querySelectorAll('.monitor-host')]"
                            + ".map(b => b.dataset.host + ' ' + b.dataset.up)").toString())
                            .isEqualTo("[\"lb-1 true\",\"ns1 false\",\"server-1 true\",\"server-2 true\"]");
                    String server1 = ".monitor-host[data-host=\"server-1\"][data-up=\"true\"]";
                    assertThat(text(browser, server1 + " .since")).isEqualTo("0.0 s ago");
                    assertThat(background(browser, server1)).isEqualTo(GREEN);
                    String ns1 = ".monitor-host[data-host=\"ns1\"][data-up=\"false\"]";
                    assertThat(text(browser, ns1 + " .since")).isEqualTo("never pushed");
                    assertThat(background(browser, ns1)).isEqualTo(RED);

                    // the rows: every web server, and the balancer since it counts requests too, host by host
                    assertThat(browser.evaluate("[...document.querySelectorAll('.monitor-instance')]"
                            + ".map(r => r.dataset.instance)").toString())
                            .isEqualTo("[\"lb-1\",\"web-1\",\"web-2\"]");
                    String web1 = ".monitor-instance[data-instance=\"web-1\"]";
                    assertThat(text(browser, web1 + " .rps")).isEqualTo("100.0");
                    assertThat(text(browser, web1 + " .err")).isEqualTo("5.0 %");
                    // 99 of 100: 9 into the (5 ms, 25 ms] bucket's 10, interpolated: 5 + 20 × 9/10 ms
                    assertThat(text(browser, web1 + " .p99")).isEqualTo("23.0 ms");
                    assertThat(text(browser, web1 + " .instance-host")).isEqualTo("server-1");
                    assertThat(text(browser, ".monitor-instance[data-instance=\"lb-1\"] .rps")).isEqualTo("200.0");
                    assertThat(text(browser, ".monitor-instance[data-instance=\"web-2\"] .err")).isEqualTo("0.0 %");
                    // the line of the last 5 minutes, worked out by the monitoring server from the series it
                    // stores, a point every 5 s: the windows ending at 9 s and 4 s each hold two pushes or more,
                    // the one ending at -1 s none, so the line has two points at the first read of the page
                    assertThat(attribute(browser, web1 + " svg.sparkline", "data-points")).isEqualTo("2");
                    assertThat(count(browser, web1 + " svg.sparkline polyline.spark-line")).isEqualTo(1);
                    assertThat(count(browser, web1 + " svg.sparkline circle.spark-now")).isEqualTo(1);

                    // replication: db-2's lag, amber past a second
                    String db2 = ".monitor-lag[data-instance=\"db-2\"]";
                    assertThat(text(browser, db2 + " .lag")).isEqualTo("2.5 s behind");
                    assertThat(attribute(browser, db2, "data-lagging")).isEqualTo("true");

                    // the alert rules, in the server's order, each with its state and colour
                    assertThat(browser.evaluate("[...document.querySelectorAll('.alert-rule')]"
                            + ".map(r => r.dataset.rule + ' ' + r.dataset.state)").toString())
                            .isEqualTo("[\"HostDown firing\",\"HighRequestRate pending\",\"ReplicationLag inactive\"]");
                    String hostDown = ".alert-rule[data-rule=\"HostDown\"][data-state=\"firing\"]";
                    assertThat(background(browser, hostDown + " .rule-state")).isEqualTo(RED);
                    assertThat(background(browser, ".alert-rule[data-rule=\"HighRequestRate\"] .rule-state"))
                            .isEqualTo(AMBER);
                    assertThat(background(browser, ".alert-rule[data-rule=\"ReplicationLag\"] .rule-state"))
                            .isEqualTo(GREY);
                    assertThat(text(browser, hostDown + " .rule-condition")).isEqualTo("no push for 3.0 s");
                    assertThat(text(browser, hostDown + " .alert[data-subject=\"ns1\"] .alert-description"))
                            .isEqualTo("never pushed, expected for 9.0 s");
                    assertThat(browser.evaluate("[...document.querySelectorAll('.alert-rule[data-rule="
                            + "\"HighRequestRate\"] .alert')].map(a => a.dataset.subject + ' ' + a.dataset.state)")
                            .toString()).isEqualTo("[\"lb-1 pending\",\"web-1 pending\",\"web-2 pending\"]");
                    assertThat(count(browser, ".alert-rule[data-rule=\"ReplicationLag\"] .alert")).isZero();
                    browser.evaluate("document.getElementById('monitoring').scrollIntoView()");
                    browser.screenshot(SCREENSHOTS.resolve("21-monitoring.png"));

                    // (2) server-2 stops pushing: three seconds later it is down, and HostDown fires for it too
                    monitoring.advanceSeconds(3);
                    pushSecond(monitoring, 9, false);
                    monitoring.evaluateAlerts();
                    browser.waitFor("document.querySelector('.monitor-host[data-host=\"server-2\"]')"
                            + ".dataset.up === 'false'", 10_000);
                    assertThat(text(browser, ".monitor-host[data-host=\"server-2\"] .since")).isEqualTo("3.0 s ago");
                    assertThat(attribute(browser, ".monitor-instance[data-instance=\"web-2\"]", "data-host-up"))
                            .isEqualTo("false");
                    browser.waitFor("document.querySelector('" + hostDown + " .alert[data-subject=\"server-2\"]"
                            + "[data-state=\"firing\"]')", 10_000);
                    assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();

                    // (3) the monitoring server stops: the last picture stays, under the admin server's 502
                    monitoring.close();
                    browser.waitFor("!document.getElementById('monitoring-error').hidden", 10_000);
                    assertThat(text(browser, "#monitoring-error")).startsWith("the monitoring server at 127.0.0.1:"
                            + monitoring.address().getPort() + " did not answer");
                    assertThat(browser.evaluate("document.getElementById('monitoring').hidden").asBoolean())
                            .isFalse();
                    assertThat(count(browser, ".monitor-host")).isEqualTo(4);
                    browser.screenshot(SCREENSHOTS.resolve("22-monitoring-unreachable.png"));

                    // (4) the stack has no monitoring server any more: 404, and the panel goes
                    stack.monitoringServer(null);
                    browser.waitFor("document.getElementById('monitoring').hidden", 10_000);
                    // the browser reported each 502 as a failed load, and nothing else went wrong
                    List<String> others = new ArrayList<>(pageErrors);
                    others.removeIf(error -> error.contains("status of 502"));
                    assertThat(others).as("script errors and refused loads in the page but the 502s").isEmpty();
                }
            }
        }
    }

    @Test
    void theMonitoringPanelStaysHiddenInADesignWithoutAMonitoringServer() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), new FakeStack(), null)) {
            server.start();
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);
                browser.navigate("http://127.0.0.1:" + server.address().getPort() + "/");
                browser.waitFor("document.querySelectorAll('#topology .host[data-state]').length === 4", 10_000);
                // the page has had its answer (a resource timing entry is added once the response is complete)
                browser.waitFor("performance.getEntriesByType('resource')"
                        + ".some(e => e.name.endsWith('/api/monitoring/summary'))", 10_000);
                assertThat(browser.evaluate("document.getElementById('monitoring').hidden").asBoolean()).isTrue();
                // a 404 is the whole answer: the hosts and the alerts are not asked for
                assertThat(browser.evaluate("performance.getEntriesByType('resource')"
                        + ".filter(e => /\\/api\\/monitoring\\/(hosts|alerts)$/.test(e.name)).length").asInt())
                        .isZero();
                assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();
            }
        }
    }

    private static String text(HeadlessChromium browser, String selector) throws Exception {
        return browser.text("document.querySelector('" + selector + "').textContent");
    }

    private static String background(HeadlessChromium browser, String selector) throws Exception {
        return browser.text("getComputedStyle(document.querySelector('" + selector + "')).backgroundColor");
    }
}
