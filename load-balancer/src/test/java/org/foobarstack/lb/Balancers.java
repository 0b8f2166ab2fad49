package org.foobarstack.lb;

import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.config.ServerConfig;
import org.foobarstack.lb.config.Timeouts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** Starts balancers for tests: free ports, checks far apart unless a test wants them, short timeouts. */
final class Balancers {

    private Balancers() {
    }

    /** A config on free ports in front of {@code backends}; checks every hour, so only a test's own checks count. */
    static BalancerConfig.Builder config(TestBackend... backends) {
        BalancerConfig.Builder builder = BalancerConfig.builder()
                .name("lb-test")
                .bindAddress("127.0.0.1")
                .port(0)
                .statsPort(0)
                .ioThreads(2)
                .check(HealthCheckConfig.defaults().withInter(Duration.ofHours(1)))
                .timeouts(new Timeouts(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(5)));
        for (TestBackend backend : backends) {
            builder.server(ServerConfig.of(backend.name, backend.address()));
        }
        return builder;
    }

    static LoadBalancer start(BalancerConfig config) {
        LoadBalancer lb = new LoadBalancer(config);
        try {
            lb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lb;
    }

    static LoadBalancer start(UnaryOperator<BalancerConfig.Builder> customize, TestBackend... backends) {
        return start(customize.apply(config(backends)).build());
    }
}
