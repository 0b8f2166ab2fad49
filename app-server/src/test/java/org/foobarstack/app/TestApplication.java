package org.foobarstack.app;

import org.foobarstack.app.api.AppRequest;
import org.foobarstack.app.api.AppResponse;
import org.foobarstack.app.api.Application;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An application for protocol tests, with no database:
 * <ul>
 *   <li>{@code /block/NAME}: signals {@link #started(String)}, waits for {@link #release(String)}, then echoes;</li>
 *   <li>{@code /big}: a 100,000-byte body, more than one STDOUT record holds;</li>
 *   <li>{@code /fail}: throws;</li>
 *   <li>anything else: echoes "METHOD PATH BODY" as text/plain.</li>
 * </ul>
 */
final class TestApplication implements Application {

    static final int BIG_BODY = 100_000;

    private final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

    CountDownLatch started(String name) {
        return started.computeIfAbsent(name, n -> new CountDownLatch(1));
    }

    void release(String name) {
        gates.computeIfAbsent(name, n -> new CountDownLatch(1)).countDown();
    }

    boolean awaitStarted(String name) throws InterruptedException {
        return started(name).await(5, TimeUnit.SECONDS);
    }

    @Override
    public AppResponse handle(AppRequest request) throws Exception {
        String path = request.path();
        if (path.startsWith("/block/")) {
            String name = path.substring("/block/".length());
            started(name).countDown();
            if (!gates.computeIfAbsent(name, n -> new CountDownLatch(1)).await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released " + name);
            }
        }
        if (path.equals("/big")) {
            return AppResponse.builder(200).body("text/plain", "x".repeat(BIG_BODY).getBytes(StandardCharsets.US_ASCII))
                    .build();
        }
        if (path.equals("/fail")) {
            throw new IllegalStateException("boom");
        }
        String echo = request.method() + " " + path + " " + new String(request.body(), StandardCharsets.UTF_8);
        return AppResponse.builder(200).header("X-Request-Path", path)
                .body("text/plain; charset=utf-8", echo.getBytes(StandardCharsets.UTF_8)).build();
    }
}
