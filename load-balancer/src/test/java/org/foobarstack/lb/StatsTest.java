package org.foobarstack.lb;

import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.stats.StatsCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The stats page and its CSV, read over HTTP as a HAProxy user (or their scripts) would. */
class StatsTest {

    @RegisterExtension
    final Opened opened = new Opened();

    @Test
    void theCsvHasHaproxysColumnsAndCountsWhatHappened() throws IOException {
        TestBackend a = new TestBackend("web-1");
        TestBackend b = new TestBackend("web-2");
        opened.add(a);
        opened.add(b);
        LoadBalancer lb = Balancers.start(c -> c, a, b);
        opened.add(lb);
        try (RawClient client = new RawClient(lb.address())) {
            for (int i = 0; i < 4; i++) {
                client.get("/");
            }
            client.get("/status/404");
            client.get("/status/503");
        }
        lb.setState("web-2", Server.AdminState.MAINT);

        RawClient.Response response = RawClient.get(lb.statsAddress(), "/stats;csv");
        assertThat(response.status()).isEqualTo(200);
        String csv = response.body();
        assertThat(csv).startsWith("# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,"
                + "eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,"
                + "throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,"
                + "hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,");
        List<Map<String, String>> rows = StatsCsv.parse(csv);
        assertThat(rows).extracting(r -> r.get("svname")).containsExactly("FRONTEND", "web-1", "web-2", "BACKEND");
        Map<String, String> frontend = rows.get(0);
        assertThat(frontend.get("req_tot")).isEqualTo("6");
        assertThat(frontend.get("hrsp_2xx")).isEqualTo("4");
        assertThat(frontend.get("hrsp_4xx")).isEqualTo("1");
        assertThat(frontend.get("hrsp_5xx")).isEqualTo("1");
        assertThat(frontend.get("type")).isEqualTo("0");
        Map<String, String> web1 = rows.get(1);
        Map<String, String> web2 = rows.get(2);
        assertThat(Long.parseLong(web1.get("stot")) + Long.parseLong(web2.get("stot"))).isEqualTo(6);
        assertThat(web1.get("lbtot")).isEqualTo("3");
        assertThat(web1.get("status")).isEqualTo("UP");
        assertThat(web2.get("status")).isEqualTo("MAINT");
        assertThat(web1.get("type")).isEqualTo("2");
        assertThat(web1.get("addr")).isEqualTo("127.0.0.1:" + a.address().getPort());
        Map<String, String> backend = rows.get(3);
        assertThat(backend.get("act")).isEqualTo("1");
        assertThat(backend.get("algo")).isEqualTo("roundrobin");
        assertThat(backend.get("hrsp_2xx")).isEqualTo("4");
    }

    @Test
    void theHtmlPageShowsEveryServerWithItsState() throws IOException {
        TestBackend a = new TestBackend("web-1");
        opened.add(a);
        LoadBalancer lb = Balancers.start(c -> c, a);
        opened.add(lb);
        lb.setState("web-1", Server.AdminState.DRAIN);
        RawClient.Response page = RawClient.get(lb.statsAddress(), "/stats");
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("<tr class=\"drain\"><td>web-1</td>").contains("balance roundrobin")
                .contains("/stats;csv");
        assertThat(RawClient.get(lb.statsAddress(), "/nothing").status()).isEqualTo(404);
    }
}
