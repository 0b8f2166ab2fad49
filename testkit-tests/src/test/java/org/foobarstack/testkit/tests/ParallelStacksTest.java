package org.foobarstack.testkit.tests;

import org.foobarstack.testkit.FoobarStackUnderTest;
import org.foobarstack.testkit.TestStack;
import org.foobarstack.trace.TraceContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tests run at once (only these two are marked to, see junit-platform.properties), each with
 * the same design on a stack of its own: both are up at the same moment, on different addresses, with different
 * data directories, and each records only what was sent to it.
 */
class ParallelStacksTest {

    /** Both tests wait here with their stack running: the barrier breaks (and fails them) unless they overlap. */
    private static final CyclicBarrier BOTH_UP = new CyclicBarrier(2);
    private static final Map<String, Running> RUNNING = new ConcurrentHashMap<>();

    @FoobarStackUnderTest("simple")
    TestStack stack;

    /** What one test's stack holds while it runs. */
    record Running(int octet, Path dataDirectory, Set<String> listening) {
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void first(TestInfo test) throws Exception {
        bothRunAtOnceApart(test);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void second(TestInfo test) throws Exception {
        bothRunAtOnceApart(test);
    }

    private void bothRunAtOnceApart(TestInfo test) throws Exception {
        String me = test.getDisplayName();
        RUNNING.put(me, new Running(stack.octet(), stack.dataDirectory(), stack.stack().endpoints().stream()
                .map(e -> e.address().getAddress().getHostAddress() + ":" + e.address().getPort())
                .collect(Collectors.toSet())));

        BOTH_UP.await(60, TimeUnit.SECONDS);

        Running mine = RUNNING.get(me);
        Running other = RUNNING.entrySet().stream().filter(e -> !e.getKey().equals(me)).map(Map.Entry::getValue)
                .findFirst().orElseThrow();
        assertThat(mine.octet()).isNotEqualTo(other.octet());
        assertThat(mine.dataDirectory()).isNotEqualTo(other.dataDirectory());
        assertThat(Files.isDirectory(mine.dataDirectory())).isTrue();
        assertThat(mine.listening()).hasSizeGreaterThanOrEqualTo(5).doesNotContainAnyElementsOf(other.listening());
        assertThat(stack.url("/").getHost()).isEqualTo("127.0." + stack.octet() + ".1");

        TraceContext trace = TraceContext.fresh();
        assertThat(RawHttp.send("GET", stack.url("/api/messages"), Map.of("traceparent", trace.toHeader()), null)
                .status()).isEqualTo(200);
        assertThat(stack.httpRequests().take(r -> r.traceId().equals(trace.traceId())).peer())
                .startsWith("127.0.0.1:");
        assertThat(stack.fastCgiRequests().take(r -> r.traceId().equals(trace.traceId())).param("SERVER_ADDR"))
                .as("the request reached this test's stack").contains("127.0." + stack.octet() + ".1");
    }
}
