package org.foobarstack.app.fastcgi;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import org.foobarstack.app.AppMetrics;
import org.foobarstack.app.AppServerConfig;
import org.foobarstack.app.api.AppResponse;
import org.foobarstack.fastcgi.EndRequestBody;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecordEncoder;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.fastcgi.client.CgiResponseParser;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.TraceRecorder;
import org.slf4j.helpers.NOPLogger;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Fuzzes the app server's side of FastCGI: any bytes a web server may send on a connection go through
 * {@link FastCgiRecordDecoder} and {@link FastCgiResponderHandler}, with the PARAMS stream read by
 * {@code NameValuePairs}, up to an application that echoes the request, and back through
 * {@link FastCgiRecordEncoder}. The pipeline is the one {@code AppServer} builds, on an EmbeddedChannel; the
 * application runs on the test's thread (a worker pool that runs each task at once), its answer comes back through
 * the channel's task queue, as it would through the event loop. Half the inputs meet a server that multiplexes
 * (several requests per connection), half one that does not; tracing is on, so the hop field trees are built from
 * every record too.
 *
 * <p>For any bytes:
 * <ul>
 *   <li>no exception leaves the pipeline;</li>
 *   <li>what the server writes is FastCGI: records a decoder reads whole, of the types a responder sends (STDOUT,
 *       STDERR, END_REQUEST, GET_VALUES_RESULT, UNKNOWN_TYPE);</li>
 *   <li>an END_REQUEST only for an id a BEGIN_REQUEST used, at most one per BEGIN_REQUEST, after which the id
 *       carries nothing more until it is begun again;</li>
 *   <li>the STDOUT of a request that completed is a CGI response {@link CgiResponseParser} reads (the web
 *       tier's reader);</li>
 *   <li>once the connection is closed, the server holds nothing of it: no open connection counted, no request in
 *       progress, no buffered bytes (these counters are shared by all connections, so a leak would build up over
 *       the run and starve the server).</li>
 * </ul>
 */
class FastCgiResponderFuzzTest {

    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 9000);
    private static final InetSocketAddress WEB = new InetSocketAddress("127.0.0.1", 40000);
    private static final Metrics METRICS = new Metrics();
    private static final ResponderContext SINGLE = context(1, "app-fuzz-1");
    private static final ResponderContext MULTIPLEXING = context(4, "app-fuzz-4");

    private static ResponderContext context(int requestsPerConnection, String name) {
        AppServerConfig config = AppServerConfig.builder().instanceName(name)
                .maxRequestsPerConnection(requestsPerConnection).maxParamsBytes(2048).maxStdinBytes(4096)
                .maxBufferedBytes(64 * 1024).build();
        return new ResponderContext(config, FastCgiResponderFuzzTest::echo, new RunAtOnce(), null,
                new RateLimitedLog(NOPLogger.NOP_LOGGER), new TraceRecorder("app", name), new AppMetrics(METRICS, name));
    }

    /** "METHOD PATH" and the body, as text/plain. */
    private static AppResponse echo(org.foobarstack.app.api.AppRequest request) {
        byte[] line = (request.method() + " " + request.path() + " ").getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(line, line.length + request.body().length);
        System.arraycopy(request.body(), 0, body, line.length, request.body().length);
        return AppResponse.builder(200).body("text/plain", body).build();
    }

    @FuzzTest(maxDuration = "5m")
    void requestsFromWebServer(byte[] input) {
        ResponderContext context = Arrays.hashCode(input) % 2 == 0 ? SINGLE : MULTIPLEXING;
        FastCgiRecordDecoder decoder = new FastCgiRecordDecoder();
        EmbeddedChannel channel = new InetEmbeddedChannel(decoder, new FastCgiRecordEncoder(),
                new FastCgiResponderHandler(context));
        ByteBuf in = Unpooled.wrappedBuffer(input);
        channel.writeInbound(in);
        channel.runPendingTasks();
        channel.checkException();
        Object unexpected = channel.readInbound();
        if (unexpected != null) {
            throw new AssertionError("the responder passed on " + unexpected);
        }
        List<FastCgiRecord> written = written(channel);
        channel.finishAndReleaseAll();
        try {
            checkAnswers(input, written);
        } finally {
            written.forEach(FastCgiRecord::release);
        }
        if (input.length > 0 && in.refCnt() != 0) {
            throw new AssertionError("the received buffer is still referenced after the connection closed");
        }
        if (context.openConnections() != 0 || context.requestsInProgress() != 0 || context.bufferedBytes() != 0) {
            throw new AssertionError("after the connection closed: " + context.openConnections() + " connections, "
                    + context.requestsInProgress() + " requests in progress, " + context.bufferedBytes()
                    + " bytes buffered; input " + Arrays.toString(input));
        }
    }

    /** The bytes the server wrote, read back as records; they must read whole. */
    private static List<FastCgiRecord> written(EmbeddedChannel channel) {
        EmbeddedChannel reader = new EmbeddedChannel(new FastCgiRecordDecoder());
        Object out;
        while ((out = channel.readOutbound()) != null) {
            reader.writeInbound(out);
        }
        List<FastCgiRecord> records = new ArrayList<>();
        FastCgiRecord record;
        while ((record = reader.readInbound()) != null) {
            records.add(record);
        }
        FastCgiRecordDecoder left = reader.pipeline().get(FastCgiRecordDecoder.class);
        int partial = left == null ? 0 : left.bufferedBytes();
        reader.finishAndReleaseAll();
        if (partial != 0) {
            records.forEach(FastCgiRecord::release);
            throw new AssertionError("the server wrote " + partial + " bytes that are not a whole record");
        }
        return records;
    }

    private static void checkAnswers(byte[] input, List<FastCgiRecord> written) {
        Map<Integer, Integer> begun = begunIds(input);
        Map<Integer, ByteBuf> stdout = new HashMap<>();
        Map<Integer, Integer> ended = new HashMap<>();
        try {
            for (FastCgiRecord record : written) {
                RecordType type = record.type();
                int id = record.requestId();
                if (type == RecordType.GET_VALUES_RESULT || type == RecordType.UNKNOWN_TYPE) {
                    if (id != 0) {
                        throw new AssertionError(type + " for request " + id);
                    }
                    continue;
                }
                if (type != RecordType.STDOUT && type != RecordType.STDERR && type != RecordType.END_REQUEST) {
                    throw new AssertionError("a responder wrote " + record);
                }
                int begins = begun.getOrDefault(id, 0);
                int ends = ended.getOrDefault(id, 0);
                if (ends >= begins) {
                    throw new AssertionError(record + " for a request that is not active (" + begins + " begun, "
                            + ends + " ended)");
                }
                if (type == RecordType.STDOUT) {
                    stdout.computeIfAbsent(id, i -> Unpooled.buffer()).writeBytes(record.content(),
                            record.content().readerIndex(), record.content().readableBytes());
                } else if (type == RecordType.END_REQUEST) {
                    EndRequestBody end = EndRequestBody.read(record.content());
                    ended.merge(id, 1, Integer::sum);
                    ByteBuf cgi = stdout.remove(id);
                    if (end.protocolStatusCode() == 0 && cgi != null) {
                        readCgi(cgi, record);
                    } else if (cgi != null) {
                        cgi.release();
                    }
                }
            }
        } finally {
            stdout.values().forEach(ByteBuf::release);
        }
    }

    private static void readCgi(ByteBuf cgi, FastCgiRecord end) {
        CgiResponseParser parser = new CgiResponseParser(ByteBufAllocator.DEFAULT, 8192);
        try {
            ByteBuf body = parser.feed(cgi);
            if (body == null || parser.head() == null) {
                throw new AssertionError("the STDOUT of a completed request has no whole CGI head: " + end);
            }
            body.release();
        } catch (CgiResponseParser.MalformedCgiResponse e) {
            throw new AssertionError("the STDOUT of a completed request is not CGI: " + e.getMessage(), e);
        } finally {
            parser.release();
        }
    }

    /** How many BEGIN_REQUEST records each request id got, read plainly from the input (§3.3, §5.1). */
    private static Map<Integer, Integer> begunIds(byte[] in) {
        Map<Integer, Integer> begun = new HashMap<>();
        int at = 0;
        while (in.length - at >= 8 && (in[at] & 0xff) == 1) {
            int length = ((in[at + 4] & 0xff) << 8) | (in[at + 5] & 0xff);
            int padding = in[at + 6] & 0xff;
            if (in.length - at < 8 + length + padding) {
                break;
            }
            if ((in[at + 1] & 0xff) == RecordType.BEGIN_REQUEST.code()) {
                begun.merge(((in[at + 2] & 0xff) << 8) | (in[at + 3] & 0xff), 1, Integer::sum);
            }
            at += 8 + length + padding;
        }
        return begun;
    }

    /** An EmbeddedChannel with socket addresses, as the responder reads them for the application's request. */
    private static final class InetEmbeddedChannel extends EmbeddedChannel {
        InetEmbeddedChannel(ChannelHandler... handlers) {
            super(handlers);
        }

        @Override
        protected SocketAddress localAddress0() {
            return SERVER;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return WEB;
        }
    }

    /** Workers that run each task at once, on the caller's thread. */
    private static final class RunAtOnce extends AbstractExecutorService {
        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
