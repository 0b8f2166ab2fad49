package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.admin.DashboardBrowserTest.CHROMIUM;
import static org.foobarstack.admin.DashboardBrowserTest.SCREENSHOTS;
import static org.foobarstack.admin.DashboardBrowserTest.attribute;
import static org.foobarstack.admin.DashboardBrowserTest.collectPageErrors;
import static org.foobarstack.admin.DashboardBrowserTest.count;
import static org.foobarstack.admin.DashboardBrowserTest.requireChromiumAndLoopbackOnlyNetwork;

import java.util.List;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.Test;

/**
 * A balancer of a VRRP pair on the dashboard, in headless Chromium (as {@link DashboardBrowserTest} drives it):
 * its state as a badge, green while it holds the virtual address, its last transitions as keepalived logs them,
 * and a takeover seen as it happens; and the design's text drawing under the boxes.
 */
class BalancerPairBrowserTest {

    private static final String GREEN = "rgb(31, 157, 85)";
    private static final String RED = "rgb(192, 57, 43)";

    @Test
    void aPairMemberShowsItsVrrpStateAndItsTransitions() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        FakeStack stack = new FakeStack();
        stack.vrrp(new BalancerStatus.Vrrp("127.0.0.100", "MASTER", 150, true, List.of(
                "09:00:00.100 VRRP_Instance(VI_51) Entering BACKUP STATE (priority 150: waiting 3.4 s)",
                "09:00:03.514 VRRP_Instance(VI_51) Entering MASTER STATE (no advertisement for 3.4 s)")));
        stack.drawing("lb-1 127.0.0.10\n  |\nserver-1 127.0.0.11\n");
        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), stack, null)) {
            server.start();
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                List<String> pageErrors = collectPageErrors(browser);
                browser.navigate("http://127.0.0.1:" + server.address().getPort() + "/");

                String pair = ".balancer[data-balancer=\"lb-1\"] .vrrp";
                browser.waitFor("document.querySelector('" + pair + "[data-state=\"master\"]')", 10_000);
                assertThat(text(browser, pair + " .vrrp-state")).isEqualTo("MASTER");
                assertThat(background(browser, pair + " .vrrp-state")).isEqualTo(GREEN);
                assertThat(text(browser, pair + " .vrrp-what")).isEqualTo("of 127.0.0.100, priority 150, preempt");
                assertThat(count(browser, pair + " .vrrp-transitions li")).isEqualTo(2);
                assertThat(text(browser, pair + " .vrrp-transitions li:last-child"))
                        .isEqualTo("09:00:03.514 VRRP_Instance(VI_51) Entering MASTER STATE (no advertisement "
                                + "for 3.4 s)");
                // the drawing is there, folded, with the picture as the file gives it
                assertThat(browser.evaluate("document.getElementById('drawing-part').hidden").asBoolean()).isFalse();
                assertThat(browser.text("document.getElementById('topology-drawing').textContent"))
                        .isEqualTo("lb-1 127.0.0.10\n  |\nserver-1 127.0.0.11\n");
                browser.screenshot(SCREENSHOTS.resolve("23-vrrp-master.png"));

                // the balancer is killed: its badge turns red and says so, in place
                stack.vrrp(new BalancerStatus.Vrrp("127.0.0.100", "stopped", 150, true, List.of(
                        "09:00:03.514 VRRP_Instance(VI_51) Entering MASTER STATE (no advertisement for 3.4 s)",
                        "09:01:10.002 VRRP_Instance(VI_51) Entering INITIALIZE STATE (killed)")));
                browser.waitFor("document.querySelector('" + pair + "[data-state=\"stopped\"]')", 10_000);
                assertThat(background(browser, pair + " .vrrp-state")).isEqualTo(RED);
                assertThat(attribute(browser, pair, "data-state")).isEqualTo("stopped");
                assertThat(pageErrors).as("script errors and refused loads in the page").isEmpty();
            }
        }
    }

    @Test
    void aBalancerOnItsOwnShowsNoVrrpLine() throws Exception {
        requireChromiumAndLoopbackOnlyNetwork();
        try (AdminServer server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), new FakeStack(), null)) {
            server.start();
            try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, SCREENSHOTS.resolve("chromium.log"))) {
                browser.navigate("http://127.0.0.1:" + server.address().getPort() + "/");
                browser.waitFor("document.querySelector('.balancer[data-balancer=\"lb-1\"] .balancer-servers tr td')",
                        10_000);
                assertThat(browser.evaluate("document.querySelector('.balancer[data-balancer=\"lb-1\"] .vrrp').hidden")
                        .asBoolean()).isTrue();
                assertThat(browser.evaluate("document.getElementById('drawing-part').hidden").asBoolean()).isTrue();
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
