package org.foobarstack.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.junit.jupiter.api.Test;

class WebServerLimitsTest {

    @Test
    void theDefaultsTakeTheParsersSizesFromHttpCodec() {
        WebServerConfig.Limits limits = WebServerConfig.Limits.defaults();

        assertThat(limits.parserLimits()).isEqualTo(ParserLimits.defaults());
        assertThat(limits.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(limits.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(limits.maxConnections()).isEqualTo(10_000);
        assertThat(limits.appConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(limits.appTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(limits.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theBuilderChangesOnlyWhatItIsTold() {
        ParserLimits small = new ParserLimits(1024, 2048, 10, 4096);

        WebServerConfig.Limits limits = WebServerConfig.Limits.builder()
                .parserLimits(small).appTimeout(Duration.ofSeconds(5)).build();

        assertThat(limits.parserLimits()).isEqualTo(small);
        assertThat(limits.appTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(limits.toBuilder().maxConnections(2).build())
                .isEqualTo(new WebServerConfig.Limits(small, Duration.ofSeconds(10), Duration.ofSeconds(60), 2,
                        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)));
    }
}
