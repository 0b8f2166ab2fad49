package org.foobarstack.fastcgi.client;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.foobarstack.fastcgi.EndRequestBody;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecordEncoder;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the web server's side of FastCGI as it reads a responder's answer: whatever bytes come back on a request's
 * connection go through {@link FastCgiRecordDecoder} and {@link FastCgiConnection} to the call's listener, whose
 * STDOUT is read by {@link CgiResponseParser}, as the web tier does.
 *
 * <p>The call is request 1 on a connection of one slot, sent before the input arrives. A plain walk over the
 * records (§3.3, §5.3, §5.5, §6.2) says what must happen:
 * <ul>
 *   <li>records of other request ids and management records are ignored;</li>
 *   <li>the call gets exactly the STDOUT bytes of request 1 (and its STDERR bytes), in order;</li>
 *   <li>END_REQUEST for request 1 ends it: onEnd with its appStatus for REQUEST_COMPLETE, onError REJECTED for
 *       another protocolStatus, onError PROTOCOL_ERROR when its content is not 8 bytes;</li>
 *   <li>any other record type for request 1, or a header with a version other than 1, is onError PROTOCOL_ERROR;</li>
 *   <li>if none of this happened when the connection closes: onError CONNECTION_LOST;</li>
 *   <li>exactly one of onEnd and onError, once, last; no exception; no buffer left referenced;</li>
 *   <li>the STDOUT bytes give a CGI head or {@link CgiResponseParser.MalformedCgiResponse}, never another
 *       exception, and a status from 100 to 999; cut differently, the same head and the same body.</li>
 * </ul>
 */
class FastCgiClientFuzzTest {

    static {
        // a line per broken answer would fill the log of a long run with millions of lines
        System.setProperty("org.slf4j.simpleLogger.log.org.foobarstack.fastcgi.client", "error");
    }

    private static final int RECORD_TYPE_STDOUT = 6;
    private static final int RECORD_TYPE_STDERR = 7;
    private static final int RECORD_TYPE_END_REQUEST = 3;

    @FuzzTest(maxDuration = "5m")
    void responseFromResponder(byte[] input) {
        Expected expected = walk(input);

        EmbeddedChannel channel = new EmbeddedChannel();
        ConnectionPool pool = new ConnectionPool(channel.eventLoop(), new InetSocketAddress("127.0.0.1", 9),
                EmbeddedChannel.class, FastCgiClientConfig.defaults());
        // a closed pool opens and probes nothing: the connection under test is the only one
        pool.close();
        FastCgiConnection connection = new FastCgiConnection(pool, 1);
        channel.pipeline().addLast(new FastCgiRecordDecoder(), new FastCgiRecordEncoder(), connection);
        Listener listener = new Listener();
        FastCgiCall call = new FastCgiCall(Map.of("REQUEST_METHOD", "GET", "SCRIPT_NAME", "/"), listener,
                FastCgiClientConfig.defaults(), FastCgiRecordObserver.NONE);
        connection.start(call);
        call.endStdin();
        if (call.requestId() != 1) {
            throw new AssertionError("the first call on a connection of one slot is request " + call.requestId());
        }
        releaseOutbound(channel);

        ByteBuf buf = Unpooled.wrappedBuffer(input);
        channel.writeInbound(buf);
        channel.runPendingTasks();
        releaseOutbound(channel);
        if (expected.ending() != null && listener.ending == null) {
            throw new AssertionError("expected " + expected.ending() + ", the call is still waiting");
        }
        channel.finishAndReleaseAll();
        if (input.length > 0 && buf.refCnt() != 0) {
            throw new AssertionError("the received buffer is still referenced after the connection closed");
        }

        String ending = expected.ending() == null ? "error CONNECTION_LOST" : expected.ending();
        if (!ending.equals(listener.ending)) {
            throw new AssertionError("ended with " + listener.ending + ", expected " + ending);
        }
        if (listener.endings != 1) {
            throw new AssertionError(listener.endings + " endings");
        }
        if (!Arrays.equals(listener.stdout.toByteArray(), expected.stdout())) {
            throw new AssertionError("STDOUT " + Arrays.toString(listener.stdout.toByteArray()) + ", expected "
                    + Arrays.toString(expected.stdout()));
        }
        if (!Arrays.equals(listener.stderr.toByteArray(), expected.stderr())) {
            throw new AssertionError("STDERR differs");
        }
        // a small header limit as well as the usual one, so that the limit is reached by short inputs too
        readCgi(expected.stdout(), expected.stdoutPieces(), Arrays.hashCode(input) % 2 == 0 ? 64 : 8192);
    }

    /** The CGI response in STDOUT, fed in the pieces the records carried it in, then in one piece. */
    private static void readCgi(byte[] stdout, List<Integer> pieces, int maxHeaderBytes) {
        String inPieces = cgi(stdout, pieces, maxHeaderBytes);
        String whole = cgi(stdout, List.of(stdout.length), maxHeaderBytes);
        if (!inPieces.equals(whole)) {
            throw new AssertionError("the CGI response reads as " + inPieces + " in records of " + pieces
                    + " bytes, and as " + whole + " in one piece");
        }
    }

    private static String cgi(byte[] stdout, List<Integer> pieces, int maxHeaderBytes) {
        CgiResponseParser parser = new CgiResponseParser(ByteBufAllocator.DEFAULT, maxHeaderBytes);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        try {
            for (int length : pieces) {
                ByteBuf rest = parser.feed(Unpooled.copiedBuffer(stdout, at, length));
                at += length;
                if (rest != null) {
                    try {
                        rest.readBytes(body, rest.readableBytes());
                    } finally {
                        rest.release();
                    }
                }
            }
        } catch (CgiResponseParser.MalformedCgiResponse e) {
            return "malformed";
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } finally {
            parser.release();
        }
        CgiResponseParser.Head head = parser.head();
        if (head == null) {
            return "no head yet";
        }
        if (head.status() < 100 || head.status() > 999) {
            throw new AssertionError("status " + head.status());
        }
        return head + " body " + Arrays.toString(body.toByteArray());
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        Object out;
        while ((out = channel.readOutbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(out);
        }
    }

    // ---------------------------------------------------------------- what must happen

    /**
     * @param ending       "end 0" (REQUEST_COMPLETE and its appStatus), "error REJECTED", "error PROTOCOL_ERROR", or
     *                     null while the request has not ended
     * @param stdoutPieces the lengths of the non-empty STDOUT records, for the CGI reader
     */
    private record Expected(String ending, byte[] stdout, byte[] stderr, List<Integer> stdoutPieces) {
    }

    private static Expected walk(byte[] in) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        List<Integer> pieces = new ArrayList<>();
        int at = 0;
        while (in.length - at >= 8) {
            if ((in[at] & 0xff) != 1) {
                return new Expected("error PROTOCOL_ERROR", stdout.toByteArray(), stderr.toByteArray(), pieces);
            }
            int type = in[at + 1] & 0xff;
            int id = ((in[at + 2] & 0xff) << 8) | (in[at + 3] & 0xff);
            int length = ((in[at + 4] & 0xff) << 8) | (in[at + 5] & 0xff);
            int padding = in[at + 6] & 0xff;
            if (in.length - at < 8 + length + padding) {
                break;
            }
            int content = at + 8;
            at += 8 + length + padding;
            if (id != 1) {
                continue;
            }
            switch (type) {
                case RECORD_TYPE_STDOUT -> {
                    stdout.write(in, content, length);
                    if (length > 0) {
                        pieces.add(length);
                    }
                }
                case RECORD_TYPE_STDERR -> stderr.write(in, content, length);
                case RECORD_TYPE_END_REQUEST -> {
                    String ending;
                    if (length != 8) {
                        ending = "error PROTOCOL_ERROR";
                    } else if (in[content + 4] != 0) {
                        ending = "error REJECTED";
                    } else {
                        long appStatus = ((long) (in[content] & 0xff) << 24) | ((in[content + 1] & 0xff) << 16)
                                | ((in[content + 2] & 0xff) << 8) | (in[content + 3] & 0xff);
                        ending = "end " + appStatus;
                    }
                    return new Expected(ending, stdout.toByteArray(), stderr.toByteArray(), pieces);
                }
                default -> {
                    return new Expected("error PROTOCOL_ERROR", stdout.toByteArray(), stderr.toByteArray(), pieces);
                }
            }
        }
        return new Expected(null, stdout.toByteArray(), stderr.toByteArray(), pieces);
    }

    /** What the call tells its listener. */
    private static final class Listener implements FastCgiResponseListener {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        String ending;
        int endings;

        @Override
        public void onStdout(ByteBuf data) {
            copy(data, stdout);
        }

        @Override
        public void onStderr(ByteBuf data) {
            copy(data, stderr);
        }

        private void copy(ByteBuf data, ByteArrayOutputStream to) {
            try {
                if (ending != null) {
                    throw new AssertionError("a stream piece after " + ending);
                }
                data.readBytes(to, data.readableBytes());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            } finally {
                data.release();
            }
        }

        @Override
        public void onEnd(EndRequestBody end) {
            ended("end " + end.appStatus());
        }

        @Override
        public void onError(FastCgiClientException error) {
            ended("error " + error.kind());
        }

        private void ended(String how) {
            endings++;
            if (ending == null) {
                ending = how;
            }
        }
    }
}
