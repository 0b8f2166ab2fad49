package org.foobarstack.lb;

import org.foobarstack.lb.config.BalancerConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What a test opens (backends, balancers, clients), closed after each test in the reverse order:
 * {@code @RegisterExtension final Opened opened = new Opened();}.
 */
final class Opened implements AfterEachCallback {

    private final List<AutoCloseable> open = new ArrayList<>();

    TestBackend backend(String name) {
        return add(new TestBackend(name));
    }

    LoadBalancer balancer(UnaryOperator<BalancerConfig.Builder> customize, TestBackend... backends) {
        return add(Balancers.start(customize, backends));
    }

    RawClient client(InetSocketAddress address) throws IOException {
        return add(new RawClient(address));
    }

    <T extends AutoCloseable> T add(T resource) {
        open.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }
}
