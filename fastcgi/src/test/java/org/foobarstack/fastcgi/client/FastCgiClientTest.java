package org.foobarstack.fastcgi.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.foobarstack.fastcgi.EndRequestBody;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The FastCGI client against a responder built on the shared codec, over real sockets. */
class FastCgiClientTest {

    private EventLoopGroup group;
    private EventLoop loop;
    private TestResponder responder;
    private FastCgiClient client;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (responder != null) {
            responder.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private FastCgiClient client(InetSocketAddress address, FastCgiClientConfig config) {
        client = new FastCgiClient(address, NioSocketChannel.class, config);
        return client;
    }

    /** What a listener saw. */
    record Result(String stdout, EndRequestBody end, FastCgiClientException error) {
    }

    private CompletableFuture<Result> call(Map<String, String> params, List<byte[]> body) {
        return call(params, body, FastCgiRecordObserver.NONE);
    }

    private CompletableFuture<Result> call(Map<String, String> params, List<byte[]> body,
                                           FastCgiRecordObserver observer) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        loop.execute(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            FastCgiCall call = client.send(loop, params, new FastCgiResponseListener() {
                @Override
                public void onStdout(ByteBuf data) {
                    byte[] bytes = new byte[data.readableBytes()];
                    data.readBytes(bytes);
                    data.release();
                    out.writeBytes(bytes);
                }

                @Override
                public void onEnd(EndRequestBody end) {
                    result.complete(new Result(out.toString(StandardCharsets.ISO_8859_1), end, null));
                }

                @Override
                public void onError(FastCgiClientException error) {
                    result.complete(new Result(out.toString(StandardCharsets.ISO_8859_1), null, error));
                }
            }, observer);
            for (byte[] piece : body) {
                call.writeStdin(Unpooled.wrappedBuffer(piece));
            }
            call.endStdin();
        });
        return result;
    }

    private static Map<String, String> params(String mode) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("REQUEST_METHOD", "POST");
        p.put("SCRIPT_NAME", "/api");
        p.put("LONG_VALUE", "v".repeat(300)); // a four-byte length in the name-value encoding
        p.put("TEST_MODE", mode);
        return p;
    }

    private Result await(CompletableFuture<Result> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void paramsAndAStreamedBodyReachTheResponderAndItsAnswerComesBack() throws Exception {
        responder = new TestResponder(false);
        client(responder.address(), FastCgiClientConfig.defaults());
        Result r = await(call(params("ECHO"), List.of("hello ".getBytes(), "body".getBytes())));
        assertThat(r.error()).isNull();
        assertThat(r.end().appStatus()).isZero();
        assertThat(r.stdout()).startsWith("Status: 201 Created\r\n")
                .contains("REQUEST_METHOD=POST\n").contains("LONG_VALUE=" + "v".repeat(300) + "\n")
                .endsWith("--body--\nhello body");
    }

    @Test
    void anObserverSeesEveryRecordOfTheCallInWireOrder() throws Exception {
        responder = new TestResponder(false);
        client(responder.address(), FastCgiClientConfig.defaults());
        List<String> seen = new ArrayList<>();
        FastCgiRecordObserver observer = new FastCgiRecordObserver() {
            @Override
            public void sending(FastCgiRecord record) {
                seen.add("> " + record.type() + " " + record.content().readableBytes());
            }

            @Override
            public void received(FastCgiRecord record) {
                seen.add("< " + record.type() + " " + record.content().readableBytes());
            }
        };
        Result r = await(call(params("ECHO"), List.of("hello ".getBytes(), "body".getBytes()), observer));
        assertThat(r.error()).isNull();
        // the listener's onEnd ran after the observer saw END_REQUEST, on the same event loop
        int stdoutBytes = r.stdout().length();
        assertThat(seen.get(0)).isEqualTo("> BEGIN_REQUEST 8");
        assertThat(seen.get(1)).startsWith("> PARAMS ");
        assertThat(seen.subList(2, 6)).containsExactly("> PARAMS 0", "> STDIN 6", "> STDIN 4", "> STDIN 0");
        assertThat(seen.subList(6, seen.size())).containsExactly(
                "< STDOUT " + stdoutBytes, "< STDOUT 0", "< END_REQUEST 8");
    }

    @Test
    void bodiesAndAnswersLargerThanOneRecordAreSplitAndJoined() throws Exception {
        responder = new TestResponder(false);
        client(responder.address(), FastCgiClientConfig.defaults());
        byte[] large = "y".repeat(150_000).getBytes();
        Result echo = await(call(params("ECHO"), List.of(large)));
        assertThat(echo.stdout()).endsWith("--body--\n" + "y".repeat(150_000));
        Result big = await(call(params("BIG"), List.of()));
        assertThat(big.stdout()).endsWith("x".repeat(TestResponder.BIG_SIZE));
    }

    @Test
    void aKeptAliveConnectionCarriesTheNextRequest() throws Exception {
        responder = new TestResponder(false);
        client(responder.address(), FastCgiClientConfig.defaults());
        for (int i = 0; i < 5; i++) {
            assertThat(await(call(params("ECHO"), List.of())).error()).isNull();
        }
        // one connection: it asked GET_VALUES first, then carried all five requests
        assertThat(responder.probes.get()).isEqualTo(1);
        assertThat(responder.connections.get()).isEqualTo(1);
    }

    @Test
    void multiplexesOnlyWhenTheResponderSaysFcgiMpxsConnsIs1() throws Exception {
        responder = new TestResponder(true);
        client(responder.address(), FastCgiClientConfig.defaults());
        List<CompletableFuture<Result>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(call(params("HELD"), List.of(("n" + i).getBytes())));
        }
        // all three are at the responder, none answered yet: they overlap however slow the machine is
        assertThat(responder.held.tryAcquire(3, 10, TimeUnit.SECONDS)).as("three requests held").isTrue();
        responder.releaseHeld();
        for (int i = 0; i < 3; i++) {
            assertThat(await(calls.get(i)).stdout()).endsWith("--body--\nn" + i);
        }
        assertThat(responder.connections.get()).isEqualTo(1);
        assertThat(responder.maxConcurrentOnOneConnection.get()).isEqualTo(3);
        CompletableFuture<ServerCapabilities> caps = new CompletableFuture<>();
        loop.execute(() -> caps.complete(client.capabilities(loop)));
        assertThat(caps.get(5, TimeUnit.SECONDS)).isEqualTo(new ServerCapabilities(10, 50, true));
    }

    @Test
    void aCallAbortedWhileItsAnswerWasPausedLeavesTheSharedConnectionReading() throws Exception {
        // An HTTP client that reads slowly makes the web tier pause the answer (pauseResponse); if that client
        // then goes away, the call is aborted. On a multiplexed connection the other requests must still be
        // answered: the pause belonged to the aborted call, not to the connection.
        responder = new TestResponder(true);
        client(responder.address(), FastCgiClientConfig.defaults());
        assertThat(await(call(params("ECHO"), List.of())).error()).isNull();   // the connection exists

        CompletableFuture<Void> aborted = new CompletableFuture<>();
        loop.execute(() -> {
            FastCgiCall slow = client.send(loop, params("SLOW"), new FastCgiResponseListener() {
                @Override
                public void onStdout(ByteBuf data) {
                    data.release();
                }

                @Override
                public void onEnd(EndRequestBody end) {
                }

                @Override
                public void onError(FastCgiClientException error) {
                }
            }, FastCgiRecordObserver.NONE);
            slow.endStdin();
            slow.pauseResponse();
            slow.abort();
            aborted.complete(null);
        });
        aborted.get(5, TimeUnit.SECONDS);

        Result next = await(call(params("ECHO"), List.of("after".getBytes())));
        assertThat(next.error()).isNull();
        assertThat(next.stdout()).endsWith("after");
        assertThat(responder.connections.get()).isEqualTo(1);
    }

    @Test
    void aCallThatEndsWhilePausedLeavesItsConnectionReading() throws Exception {
        // The END_REQUEST may already sit in the buffer when the call pauses: the call ends paused, and the
        // connection goes back to the pool. The next request on it must be answered.
        responder = new TestResponder(false);
        client(responder.address(), FastCgiClientConfig.defaults());
        CompletableFuture<Result> first = new CompletableFuture<>();
        loop.execute(() -> {
            FastCgiCall[] self = new FastCgiCall[1];
            self[0] = client.send(loop, params("ECHO"), new FastCgiResponseListener() {
                @Override
                public void onStdout(ByteBuf data) {
                    data.release();
                    self[0].pauseResponse();   // a slow HTTP client, from the first byte on
                }

                @Override
                public void onEnd(EndRequestBody end) {
                    self[0].resumeResponse();  // too late: the call is done, and must not matter
                    first.complete(new Result("", end, null));
                }

                @Override
                public void onError(FastCgiClientException error) {
                    first.complete(new Result("", null, error));
                }
            }, FastCgiRecordObserver.NONE);
            self[0].endStdin();
        });
        assertThat(await(first).error()).isNull();

        Result next = await(call(params("ECHO"), List.of("again".getBytes())));
        assertThat(next.error()).isNull();
        assertThat(next.stdout()).endsWith("again");
        assertThat(responder.connections.get()).isEqualTo(1);
    }

    @Test
    void withoutMultiplexingEachConcurrentRequestGetsItsOwnConnection() throws Exception {
        responder = new TestResponder(false);
        client(responder.address(), FastCgiClientConfig.defaults());
        List<CompletableFuture<Result>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(call(params("HELD"), List.of()));
        }
        assertThat(responder.held.tryAcquire(3, 10, TimeUnit.SECONDS)).as("three requests held").isTrue();
        responder.releaseHeld();
        for (CompletableFuture<Result> c : calls) {
            assertThat(await(c).error()).isNull();
        }
        assertThat(responder.connections.get()).isEqualTo(3);
        assertThat(responder.maxConcurrentOnOneConnection.get()).isEqualTo(1);
    }

    @Test
    void aResponderThatIsDownFailsTheCallWithConnectFailed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        client(new InetSocketAddress("127.0.0.1", port), FastCgiClientConfig.defaults());
        Result r = await(call(params("ECHO"), List.of()));
        assertThat(r.error().kind()).isEqualTo(FastCgiClientException.Kind.CONNECT_FAILED);
    }

    @Test
    void aSilentResponderFailsTheCallWithTimeout() throws Exception {
        responder = new TestResponder(false);
        client(responder.address(), FastCgiClientConfig.defaults().withResponseTimeout(Duration.ofMillis(300)));
        Result r = await(call(params("SILENT"), List.of()));
        assertThat(r.error().kind()).isEqualTo(FastCgiClientException.Kind.TIMEOUT);
        // the pool recovers: the next request gets a fresh connection and an answer
        assertThat(await(call(params("ECHO"), List.of())).error()).isNull();
    }

    @Test
    void aConnectionClosedMidRequestFailsTheCallWithConnectionLost() throws Exception {
        responder = new TestResponder(false);
        client(responder.address(), FastCgiClientConfig.defaults());
        Result r = await(call(params("CLOSE"), List.of()));
        assertThat(r.error().kind()).isEqualTo(FastCgiClientException.Kind.CONNECTION_LOST);
        assertThat(await(call(params("ECHO"), List.of())).error()).isNull();
    }
}
