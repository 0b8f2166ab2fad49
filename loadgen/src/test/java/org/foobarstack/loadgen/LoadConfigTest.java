package org.foobarstack.loadgen;

import org.foobarstack.httpcodec.request.RequestHead;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadConfigTest {

    private static final InetSocketAddress TARGET = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);

    @Test
    void requestCountIsRateTimesDuration() {
        assertThat(LoadConfig.requestCount(200, Duration.ofSeconds(1))).isEqualTo(200);
        assertThat(LoadConfig.requestCount(3, Duration.ofMillis(1500))).isEqualTo(4); // at 0, 0.33, 0.67, 1 s
        assertThat(LoadConfig.requestCount(10_000, Duration.ofSeconds(1000))).isEqualTo(LoadConfig.MAX_REQUESTS);
    }

    @Test
    void refusesMoreThanTenMillionRequests() {
        assertThatThrownBy(() -> LoadConfig.requestCount(10_000, Duration.ofMillis(1_000_001)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10,000,000");
        assertThatThrownBy(() -> LoadConfig.requestCount(Integer.MAX_VALUE, Duration.ofSeconds(3600)))
                .hasMessageContaining("10,000,000");
        assertThatThrownBy(() -> LoadConfig.requestCount(1, Duration.ofMillis(500)))
                .hasMessageContaining("no request");
    }

    @Test
    void defaultsAndTheRequestHead() {
        LoadConfig config = LoadConfig.builder(TARGET).rate(10).duration(Duration.ofSeconds(1)).build();

        assertThat(config.hostHeader()).isEqualTo("127.0.0.1:8080");
        assertThat(config.method()).isEqualTo("GET");
        assertThat(config.connections()).isEqualTo(16);
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.url()).isEqualTo("http://127.0.0.1:8080/");
        RequestHead head = LoadRun.requestHead(config);
        assertThat(head.toString()).isEqualTo(
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: foobar-stack-load\r\nAccept: */*\r\n\r\n");
    }

    @Test
    void aPostWithoutBodySaysSo() {
        LoadConfig config = LoadConfig.builder(TARGET).method("POST").rate(10).duration(Duration.ofSeconds(1)).build();

        assertThat(LoadRun.requestHead(config).get("Content-Length")).isEqualTo("0");
    }

    @Test
    void refusesWhatWouldBreakTheRequest() {
        LoadConfig.Builder ok = LoadConfig.builder(TARGET).rate(10).duration(Duration.ofSeconds(1));
        assertThatThrownBy(() -> ok.path("no-slash").build()).hasMessageContaining("'/'");
        assertThatThrownBy(() -> ok.path("/a b").build()).hasMessageContaining("space");
        assertThatThrownBy(() -> ok.path("/").method("GE T").build()).hasMessageContaining("method");
        assertThatThrownBy(() -> LoadConfig.builder(TARGET).rate(10).duration(Duration.ofSeconds(1))
                .header("Transfer-Encoding", "chunked").build()).hasMessageContaining("from the body");
        assertThatThrownBy(() -> LoadConfig.builder(InetSocketAddress.createUnresolved("www.foobar.com", 80))
                .rate(10).duration(Duration.ofSeconds(1)).build()).hasMessageContaining("resolve it first");
    }

    @Test
    void countsAHeaderOnlyWhenAskedAndOnlyByAValidName() {
        LoadConfig.Builder builder = LoadConfig.builder(TARGET).rate(10).duration(Duration.ofSeconds(1));
        assertThat(builder.build().countedHeader()).isNull();

        LoadConfig counting = builder.countHeader("X-App-Version").build();
        assertThat(counting.countedHeader()).isEqualTo("X-App-Version");
        assertThat(counting.toString()).endsWith(", counting X-App-Version");
        assertThat(counting.withTarget(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)).countedHeader())
                .isEqualTo("X-App-Version");
        assertThat(counting).isNotEqualTo(builder.countHeader(null).build());
        assertThatThrownBy(() -> builder.countHeader("X App").build()).hasMessageContaining("not a header name");
        assertThatThrownBy(() -> builder.countHeader("X-App-Version:").build())
                .hasMessageContaining("not a header name");
    }

    @Test
    void theConstructorWithoutACountedHeaderCountsNone() {
        LoadConfig config = new LoadConfig(TARGET, "www.foobar.com", "/", "GET", null, null, 10,
                Duration.ofSeconds(1), 1, Duration.ofSeconds(2), null, List.of());

        assertThat(config.countedHeader()).isNull();
        assertThat(config).isEqualTo(LoadConfig.builder(TARGET).hostHeader("www.foobar.com").rate(10)
                .duration(Duration.ofSeconds(1)).connections(1).build());
    }

    @Test
    void equalBodiesMakeEqualConfigs() {
        LoadConfig a = LoadConfig.builder(TARGET).rate(1).duration(Duration.ofSeconds(1))
                .body(new byte[]{1, 2}, "x/y").build();
        LoadConfig b = LoadConfig.builder(TARGET).rate(1).duration(Duration.ofSeconds(1))
                .body(new byte[]{1, 2}, "x/y").build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.withTarget(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))).isNotEqualTo(a);
    }
}
