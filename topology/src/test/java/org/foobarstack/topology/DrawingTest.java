package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code draw}: the picture of a design says where www points, every host in a box, and who calls whom. */
class DrawingTest {

    @Test
    void theScaledDesignShowsThePairsVirtualAddressAndEveryTierOnItsOwnHost() {
        String picture = Drawing.of(ShippedTopologies.load("scaled"));

        assertThat(picture).startsWith("scaled: 10 hosts\nwww.foobar.com -> 127.0.0.100  (the balancer pair's");
        for (HostSpec host : ShippedTopologies.load("scaled").hosts()) {
            assertThat(picture).contains("| " + host.name() + "  " + host.address().getHostAddress());
        }
        assertThat(picture).contains("vrrp 127.0.0.100 prio 150", "vrrp 127.0.0.100 prio 100",
                "| lb-1 -> web on web-1, web-2", "| web-1 -> app on app-1",
                "| app-1 -> db on db-1 (writes; reads on its replica db-2)",
                "| db-2 -> db-1: follows its change log (replication)",
                "firewall: 1 rule, else drop");
        // rows in the order a request meets them: the balancers' row above the web servers', above the databases'
        assertThat(picture.indexOf("| lb-1  ")).isLessThan(picture.indexOf("| web-1  "));
        assertThat(picture.indexOf("| web-1  ")).isLessThan(picture.indexOf("| db-1  "));
    }

    /**
     * Each design's page shows the drawing of its shipped topology as it is now, under the command that prints it
     * (which .ci/docs-commands also runs): a changed file fails here.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"simple, learn.md", "distributed, distributed.md",
            "secured, secured.md", "scaled, scaled.md"})
    void eachDesignsPageShowsItsCurrentDrawing(String design, String page) throws Exception {
        java.nio.file.Path doc = java.nio.file.Path.of("..", "docs", page);

        assertThat(java.nio.file.Files.readString(doc)).as("docs/%s: run bin/foobar-stack draw %s and paste it",
                page, design).contains("```\n$ bin/foobar-stack draw " + design + "\n"
                + Drawing.of(ShippedTopologies.load(design)) + "```\n");
    }

    @Test
    void theSimpleDesignIsOneBoxWithEveryTier() {
        String picture = Drawing.of(ShippedTopologies.load("simple"));

        assertThat(picture).isEqualTo("""
                simple: 1 host
                www.foobar.com -> 127.0.0.1  (the web server)

                +------------------------+
                | server-1  127.0.0.1    |
                |  dns :5300             |
                |  web :8080 https :8443 |
                |  app :9000             |
                |  db :1527              |
                |    primary             |
                +------------------------+
                """);
    }
}
