package org.foobarstack.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WalkRequestTest {

    @Test
    void dataWithoutAMethodMeansPostAsInCurl() {
        assertThat(WalkRequest.builder("http://www.foobar.com/").build().method()).isEqualTo("GET");
        assertThat(WalkRequest.builder("http://www.foobar.com/").data("a=1").build().method()).isEqualTo("POST");
        assertThat(WalkRequest.builder("http://www.foobar.com/").method("put").data("a=1").build().method())
                .isEqualTo("PUT");
    }

    @Test
    void portsDefaultByScheme() {
        assertThat(WalkRequest.builder("http://www.foobar.com/").build().port()).isEqualTo(80);
        assertThat(WalkRequest.builder("https://www.foobar.com/").build().port()).isEqualTo(443);
        assertThat(WalkRequest.builder("http://www.foobar.com:8080/").build().port()).isEqualTo(8080);
        assertThat(WalkRequest.builder("http://[::1]:8080/").build().host()).isEqualTo("::1");
    }

    @Test
    void theDnsServerIsAnAddressNeverAName() {
        assertThat(WalkRequest.builder("http://x/").dns("127.0.0.1:5300").build().dns().getPort()).isEqualTo(5300);
        assertThat(WalkRequest.builder("http://x/").dns("127.0.0.2").build().dns().getPort()).isEqualTo(53);
        assertThat(WalkRequest.builder("http://x/").dns("[::1]:5300").build().dns().getAddress().getHostAddress())
                .isEqualTo("0:0:0:0:0:0:0:1");
        assertThatThrownBy(() -> WalkRequest.builder("http://x/").dns("ns1.foobar.com:5300"))
                .hasMessageContaining("must be an IP address");
        assertThatThrownBy(() -> WalkRequest.builder("http://x/").dns("127.0.0.1:dns"))
                .hasMessageContaining("port is not a number");
    }

    @Test
    void badInputIsRefusedWithTheRuleItBreaks() {
        assertThatThrownBy(() -> WalkRequest.builder("ftp://www.foobar.com/").build())
                .hasMessageContaining("http:// and https://");
        assertThatThrownBy(() -> WalkRequest.builder("http://x/").header("no colon"))
                .hasMessageContaining("'Name: value'");
        assertThatThrownBy(() -> WalkRequest.builder("http://x/").header("Bad Name: v"))
                .hasMessageContaining("RFC 9110 §5.1");
        assertThatThrownBy(() -> WalkRequest.builder("http://x/").header("traceparent: 00-abc").build())
                .hasMessageContaining("W3C Trace Context §3.2.2");
    }
}
