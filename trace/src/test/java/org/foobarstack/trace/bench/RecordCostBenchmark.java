package org.foobarstack.trace.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.fields.HttpHeadFields;

/**
 * What tracing one HTTP request head costs a tier: parse or adopt the traceparent, build the head's field
 * tree, build the hop, record it. Not a test (timings in tests prove nothing); run it by hand:
 *
 * <pre>
 * mvn -q -o -pl trace test-compile
 * java -cp trace/target/classes:trace/target/test-classes:$(cat cp.txt) \
 *     org.foobarstack.trace.bench.RecordCostBenchmark [threads]
 * </pre>
 * where cp.txt is written by {@code mvn -q -o -pl trace dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 * It reports nanoseconds per traced head, and for comparison the cost of the same loop that only checks
 * {@link TraceRecorder#enabled()} with tracing off.
 */
public final class RecordCostBenchmark {

    private static final byte[] HEAD = ("GET /api/messages HTTP/1.1\r\nHost: www.foobar.com:8080\r\n"
            + "User-Agent: curl/7.88.1\r\nAccept: */*\r\n"
            + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final int WARMUP = 200_000;
    private static final int MEASURED = 1_000_000;

    private RecordCostBenchmark() {
    }

    public static void main(String[] args) throws InterruptedException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        for (boolean enabled : new boolean[] {true, false}) {
            TraceRecorder recorder = new TraceRecorder("web", "web-1");
            recorder.setEnabled(enabled);
            run(recorder, 1, WARMUP);
            long nanos = run(recorder, threads, MEASURED);
            System.out.printf("tracing %-3s threads %d: %,d heads in %.1f ms, %.0f ns per head per thread%n",
                    enabled ? "on" : "off", threads, (long) MEASURED * threads, nanos / 1e6,
                    (double) nanos / MEASURED);
        }
    }

    private static long run(TraceRecorder recorder, int threads, int count) throws InterruptedException {
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                for (int i = 0; i < count; i++) {
                    traceOneHead(recorder);
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return System.nanoTime() - start;
    }

    /** What the web tier does per request head. */
    private static void traceOneHead(TraceRecorder recorder) {
        if (!recorder.enabled()) {
            return;
        }
        long start = System.nanoTime();
        TraceContext context = TraceContext.parseOrFresh(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        List<Field> fields = HttpHeadFields.requestHead(HEAD);
        recorder.record(recorder.hop(context.traceId(), Protocol.HTTP, Direction.RECEIVED)
                .summary("GET /api/messages HTTP/1.1").peer("127.0.0.1:50412")
                .timing(start, System.nanoTime()).fields(fields).build());
    }
}
