package org.foobarstack.app.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.foobarstack.fastcgi.FastCgiFields;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordHeader;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * What tracing one request costs the app tier's CPU (run by hand, not a test): the FastCGI hops of the POST nginx
 * sends (the captured bytes in {@code src/test/resources/captures/}: BEGIN_REQUEST, a 25-param PARAMS stream, a
 * STDIN stream), the STDOUT and END_REQUEST hops of the answer, and two SQL hops, each built with its field tree
 * and recorded into a {@link TraceRecorder}, the way {@code FastCgiResponderHandler} and {@code MessageStore} do:
 * the bytes are copied and the field trees decoded only when someone reads the hop. Prints the median of several
 * rounds, in microseconds per request: tracing on (the request path: copies and suppliers), tracing on with every
 * hop's fields read at once (what a reader that looks at every hop costs), and tracing off.
 *
 * <pre>
 * mvn -q -o -pl app-server -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=/tmp/app-cp.txt
 * java -cp app-server/target/classes:app-server/target/test-classes:$(cat /tmp/app-cp.txt) \
 *     org.foobarstack.app.bench.HopCostBenchmark 7 20000
 * </pre>
 */
public final class HopCostBenchmark {

    private HopCostBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        List<FastCgiRecord> records = capture();
        TraceRecorder recorder = new TraceRecorder("app", "app-bench");
        byte[] cgi = ("Status: 201 Created\r\nLocation: /api/messages/1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 74\r\n\r\n{\"id\":1,\"author\":\"ada\",\"body\":\"hi\",\"createdAt\":"
                + "\"2026-11-22T00:54:41.470Z\"}").getBytes(StandardCharsets.US_ASCII);
        double[] on = new double[rounds];
        double[] decoded = new double[rounds];
        double[] off = new double[rounds];
        long sink = 0;
        for (int round = -2; round < rounds; round++) { // two rounds warm the JIT up
            recorder.setEnabled(true);
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                sink += traceOneRequest(recorder, records, cgi, false);
            }
            double tracedMicros = (System.nanoTime() - start) / 1000.0 / requests;
            start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                sink += traceOneRequest(recorder, records, cgi, true);
            }
            double decodedMicros = (System.nanoTime() - start) / 1000.0 / requests;
            recorder.setEnabled(false);
            start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                sink += traceOneRequest(recorder, records, cgi, false);
            }
            double offMicros = (System.nanoTime() - start) / 1000.0 / requests;
            if (round >= 0) {
                on[round] = tracedMicros;
                decoded[round] = decodedMicros;
                off[round] = offMicros;
            }
        }
        Arrays.sort(on);
        Arrays.sort(decoded);
        Arrays.sort(off);
        System.out.printf("%d rounds of %d requests, 1 thread, load %s (sink %d)%n", rounds, requests,
                java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim(), sink % 10);
        System.out.printf("tracing on:  median %.2f us per request (7 hops), min %.2f, max %.2f%n",
                on[rounds / 2], on[0], on[rounds - 1]);
        System.out.printf("tracing on, every hop's fields read: median %.2f us per request, min %.2f, max %.2f%n",
                decoded[rounds / 2], decoded[0], decoded[rounds - 1]);
        System.out.printf("tracing off: median %.3f us per request, min %.3f, max %.3f%n",
                off[rounds / 2], off[0], off[rounds - 1]);
    }

    /** The hops of one request, built only when the recorder is enabled, as the app tier does. */
    private static long traceOneRequest(TraceRecorder recorder, List<FastCgiRecord> records, byte[] cgi,
                                        boolean read) {
        if (!recorder.enabled()) {
            return 0;
        }
        String traceId = TraceContext.parseOrFresh("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .traceId();
        long now = System.nanoTime();
        List<RecordHeader> params = new ArrayList<>();
        List<RecordHeader> stdin = new ArrayList<>();
        ByteBuf paramsContent = Unpooled.buffer();
        ByteBuf stdinContent = Unpooled.buffer();
        for (FastCgiRecord record : records) {
            if (record.is(RecordType.BEGIN_REQUEST)) {
                RecordHeader header = record.header();
                byte[] content = ByteBufUtil.getBytes(record.content());
                hop(recorder, traceId, Direction.RECEIVED, "BEGIN_REQUEST", now, read,
                        () -> FastCgiFields.record(header, Unpooled.wrappedBuffer(content)));
            } else if (record.is(RecordType.PARAMS)) {
                params.add(record.header());
                paramsContent.writeBytes(record.content(), record.content().readerIndex(),
                        record.content().readableBytes());
            } else if (record.is(RecordType.STDIN)) {
                stdin.add(record.header());
                stdinContent.writeBytes(record.content(), record.content().readerIndex(),
                        record.content().readableBytes());
            }
        }
        byte[] paramsBytes = ByteBufUtil.getBytes(paramsContent);
        byte[] stdinBytes = ByteBufUtil.getBytes(stdinContent);
        hop(recorder, traceId, Direction.RECEIVED, "PARAMS", now, read,
                () -> FastCgiFields.stream(params, Unpooled.wrappedBuffer(paramsBytes)));
        hop(recorder, traceId, Direction.RECEIVED, "STDIN", now, read,
                () -> FastCgiFields.stream(stdin, Unpooled.wrappedBuffer(stdinBytes)));
        for (int i = 0; i < 2; i++) {
            hop(recorder, traceId, Direction.SENT, "INSERT", now, read, () -> List.of(
                    Field.info("Statement", "INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)"),
                    new Field("Parameters", Field.NO_OFFSET, 0, "2", List.of(Field.info("?1", "'ada' (VARCHAR)"),
                            Field.info("?2", "'hi' (VARCHAR)"))),
                    Field.info("Rows", "1"), Field.info("Duration", String.format("%.3f ms", 0.123))));
        }
        List<RecordHeader> stdout = List.of(RecordHeader.of(RecordType.STDOUT, 1, cgi.length),
                RecordHeader.of(RecordType.STDOUT, 1, 0));
        byte[] stdoutBytes = cgi.clone();
        hop(recorder, traceId, Direction.SENT, "STDOUT", now, read,
                () -> FastCgiFields.stream(stdout, Unpooled.wrappedBuffer(stdoutBytes)));
        FastCgiRecord end = FastCgiRecords.endRequest(Unpooled.buffer().alloc(), 1, 0, ProtocolStatus.REQUEST_COMPLETE);
        RecordHeader endHeader = end.header();
        byte[] endContent = ByteBufUtil.getBytes(end.content());
        end.release();
        hop(recorder, traceId, Direction.SENT, "END_REQUEST", now, read,
                () -> FastCgiFields.record(endHeader, Unpooled.wrappedBuffer(endContent)));
        return recorder.recordedCount();
    }

    private static void hop(TraceRecorder recorder, String traceId, Direction direction, String summary, long start,
                            boolean read, Supplier<List<Field>> fields) {
        Hop hop = recorder.hop(traceId, Protocol.FASTCGI, direction).summary(summary).peer("127.0.0.1:50412")
                .timing(start, System.nanoTime()).fields(fields).build();
        recorder.record(hop);
        if (read) {
            hop.fields();
        }
    }

    private static List<FastCgiRecord> capture() throws Exception {
        byte[] bytes;
        try (var in = HopCostBenchmark.class.getResourceAsStream("/captures/nginx-1.22.1-post-api-messages.hex")) {
            bytes = ByteBufUtil.decodeHexDump(new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .replaceAll("\\s", ""));
        }
        EmbeddedChannel channel = new EmbeddedChannel(new FastCgiRecordDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        List<FastCgiRecord> records = new ArrayList<>();
        for (FastCgiRecord record; (record = channel.readInbound()) != null; ) {
            records.add(record);
        }
        return records;
    }
}
