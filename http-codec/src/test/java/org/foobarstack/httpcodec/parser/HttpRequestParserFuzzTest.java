package org.foobarstack.httpcodec.parser;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fuzzes {@link HttpRequestParser} with arbitrary bytes on one connection and checks, for every input, more than
 * "no exception":
 *
 * <ol>
 *   <li><b>One outcome per request.</b> The parser's output is a sequence of requests (a head, body parts, exactly
 *       one marked last), possibly followed by one {@link HttpRequestError} and then nothing; a request whose
 *       bytes have not all arrived is left open, never half-finished. Body lengths match the head's framing.</li>
 *   <li><b>Cut anywhere, read the same.</b> The same bytes in several TCP segments (cut at places drawn from the
 *       input itself, so a failure reproduces) give the same output.</li>
 *   <li><b>No state leaks into the next request.</b> After the input, a known-good request on the same
 *       connection parses exactly as on a fresh one; after a rejection or "Connection: close" nothing more comes
 *       out at all.</li>
 *   <li><b>Framing agrees with a second reading.</b> {@link FramingReference} reads RFC 9112 §6 on its own; for
 *       every message both accept, the head ends at the same byte, the body is the same, and the connection is
 *       kept or closed alike. A message whose length the RFC says cannot be determined must never be accepted.</li>
 *   <li><b>No buffer is leaked.</b> Once every part is released and the connection closed, the received buffers
 *       are freed.</li>
 * </ol>
 *
 * <p>A quarter of the inputs run under tiny limits, so that the limit checks are reached with short inputs.
 * The corpus is in {@code src/test/resources/.../HttpRequestParserFuzzTestInputs/requestParser}; {@code mvn verify}
 * replays it, {@code fuzz/run.sh} extends it.
 */
class HttpRequestParserFuzzTest {

    private static final ParserLimits SMALL = new ParserLimits(64, 160, 6, 300);

    /** Requests that every limit used here accepts, one of them sent after each input. */
    private static final List<byte[]> GOOD_REQUESTS = List.of(
            ascii("GET /index.html HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n"),
            ascii("POST /api/messages HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Length: 5\r\n\r\nhello"),
            ascii("PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\nT: 1\r\n\r\n"));

    /** What a fresh parser makes of each good request under each limits; the same every time. */
    private static final Map<List<Object>, List<String>> FRESH = new HashMap<>();

    @FuzzTest(maxDuration = "5m")
    void requestParser(byte[] input) {
        Random random = new Random(seed(input));
        ParserLimits limits = random.nextInt(4) == 0 ? SMALL : ParserLimits.defaults();
        byte[] good = GOOD_REQUESTS.get(random.nextInt(GOOD_REQUESTS.size()));

        // 1 and 5: the whole input in one segment, then a good request on the same connection
        Connection whole = new Connection(limits);
        whole.send(input);
        HttpRequestParser.State stateAfterInput = whole.parser.state();
        Transcript transcript = whole.transcript.copy();
        if ((transcript.error != null) != (stateAfterInput == HttpRequestParser.State.REJECTED)) {
            throw new AssertionError("an error was emitted but the parser is " + stateAfterInput + ", or the other way"
                    + " round: " + transcript.describe());
        }

        // 4: the framing, as a second reading sees it
        FramingReference.Reading reference = FramingReference.read(input);
        compareFraming(transcript, reference, input);

        // 3: the next request on the same connection
        int before = whole.transcript.events();
        whole.send(good);
        if (stateAfterInput == HttpRequestParser.State.REJECTED || stateAfterInput == HttpRequestParser.State.CLOSED) {
            if (whole.transcript.events() != before) {
                throw new AssertionError("the parser went on after " + stateAfterInput + ": "
                        + whole.transcript.describe());
            }
        } else if (stateAfterInput == HttpRequestParser.State.REQUEST_LINE && transcript.error == null
                && reference.atBoundary() && transcript.allComplete()) {
            List<String> next = whole.transcript.describeFrom(transcript.requests.size());
            List<String> fresh = FRESH.computeIfAbsent(List.of(limits, good), key -> {
                Connection c = new Connection(limits);
                c.send(good);
                return c.close().describeFrom(0);
            });
            if (!next.equals(fresh)) {
                throw new AssertionError("after the input, a good request parses as " + next
                        + " but on a fresh connection as " + fresh + "; input: " + printable(input));
            }
        }
        whole.close();

        // 2: the same bytes in up to four segments
        Connection split = new Connection(limits);
        int pieces = 1 + random.nextInt(4);
        int from = 0;
        for (int i = 1; i < pieces && from < input.length; i++) {
            int to = from + random.nextInt(input.length - from + 1);
            split.send(Arrays.copyOfRange(input, from, to));
            from = to;
        }
        split.send(Arrays.copyOfRange(input, from, input.length));
        Transcript splitTranscript = split.transcript.copy();
        split.close();
        if (!splitTranscript.describe().equals(transcript.describe())) {
            throw new AssertionError("in segments: " + splitTranscript.describe() + "\nwhole: "
                    + transcript.describe() + "\ninput: " + printable(input));
        }
    }

    /** Property 4: message by message, as long as both readings accept. */
    private static void compareFraming(Transcript parsed, FramingReference.Reading reference, byte[] input) {
        List<FramingReference.Message> expected = reference.messages();
        // the request the parser refused: the one left open, or the next one when none is
        int rejectedAt = parsed.error == null ? -1
                : parsed.allComplete() ? parsed.requests.size() : parsed.requests.size() - 1;
        for (int i = 0; ; i++) {
            Request actual = i < parsed.requests.size() ? parsed.requests.get(i) : null;
            if (i >= expected.size()) {
                if (actual != null) {
                    throw framingError(i, "the parser read a request where the reference sees none", parsed, input);
                }
                return;
            }
            FramingReference.Message message = expected.get(i);
            if (message.status() == FramingReference.Status.NOT_JUDGED) {
                return;
            }
            if (i == rejectedAt) {
                return; // stricter than the reference: allowed
            }
            if (message.status() == FramingReference.Status.MUST_REJECT) {
                if (actual != null && actual.complete) {
                    throw framingError(i, "accepted a message whose length RFC 9112 says cannot be determined",
                            parsed, input);
                }
                return;
            }
            if (message.head() == null) {
                if (actual != null) {
                    throw framingError(i, "the parser ended the head where the reference has not", parsed, input);
                }
                return;
            }
            if (actual == null) {
                if (message.status() == FramingReference.Status.COMPLETE) {
                    throw framingError(i, "the reference has a whole message, the parser not even its head",
                            parsed, input);
                }
                // the reference read the head, the parser is still waiting for it: not a framing decision yet
                return;
            }
            if (!Arrays.equals(actual.head.rawHead(), message.head())) {
                throw framingError(i, "the heads end at different bytes", parsed, input);
            }
            if (!Arrays.equals(actual.body.toByteArray(), message.body())) {
                throw framingError(i, "different body bytes: parser " + printable(actual.body.toByteArray())
                        + ", reference " + printable(message.body()), parsed, input);
            }
            boolean complete = message.status() == FramingReference.Status.COMPLETE;
            if (actual.complete != complete) {
                throw framingError(i, "the parser says the message is " + (actual.complete ? "" : "not ")
                        + "complete, the reference the opposite", parsed, input);
            }
            if (!complete) {
                return;
            }
            if (actual.head.keepAlive() != message.keepAlive()) {
                throw framingError(i, "keep-alive: parser " + actual.head.keepAlive() + ", reference "
                        + message.keepAlive(), parsed, input);
            }
        }
    }

    private static AssertionError framingError(int index, String what, Transcript parsed, byte[] input) {
        return new AssertionError("request " + index + ": " + what + "\nparser: " + parsed.describe()
                + "\nreference: " + FramingReference.read(input).messages() + "\ninput: " + printable(input));
    }

    // ---------------------------------------------------------------- the connection and what comes out of it

    /** A parser on an EmbeddedChannel, the buffers it was given, and a running check of its output. */
    private static final class Connection {
        final HttpRequestParser parser;
        final EmbeddedChannel channel;
        final Transcript transcript = new Transcript();
        final List<ByteBuf> sent = new ArrayList<>();

        Connection(ParserLimits limits) {
            parser = new HttpRequestParser(limits, () -> true);
            channel = new EmbeddedChannel(parser);
        }

        void send(byte[] bytes) {
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            if (bytes.length > 0) {
                // (an empty array wraps to the shared EMPTY_BUFFER, which is never freed)
                sent.add(buf);
            }
            // an exception from the parser is rethrown here, and fails the input
            channel.writeInbound(buf);
            drain();
        }

        private void drain() {
            Object msg;
            while ((msg = channel.readInbound()) != null) {
                transcript.add(msg);
            }
        }

        /** Closes the connection (property 5) and returns everything that came out. */
        Transcript close() {
            channel.finish();
            drain();
            for (int i = 0; i < sent.size(); i++) {
                if (sent.get(i).refCnt() != 0) {
                    throw new AssertionError("received buffer " + (i + 1) + " of " + sent.size() + " still has "
                            + sent.get(i).refCnt() + " references after every part was released and the connection"
                            + " closed: " + transcript.describe());
                }
            }
            return transcript;
        }
    }

    private static final class Request {
        final HttpRequestHead head;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;

        Request(HttpRequestHead head) {
            this.head = head;
        }
    }

    /** The parser's output, checked message by message against property 1 as it arrives. */
    private static final class Transcript {
        final List<Request> requests = new ArrayList<>();
        HttpRequestError error;
        private int events;

        void add(Object msg) {
            events++;
            if (error != null) {
                release(msg);
                throw new AssertionError("a message after the rejection " + error + ": " + msg);
            }
            Request open = requests.isEmpty() ? null : requests.get(requests.size() - 1);
            if (open != null && open.complete) {
                open = null;
            }
            if (msg instanceof HttpRequestHead head) {
                if (open != null) {
                    throw new AssertionError("a new head before the last body part of " + describe(open));
                }
                checkHead(head);
                requests.add(new Request(head));
            } else if (msg instanceof HttpBodyPart part) {
                try {
                    if (open == null) {
                        throw new AssertionError("a body part without a request: " + part);
                    }
                    part.content().getBytes(part.content().readerIndex(), open.body, part.content().readableBytes());
                    open.complete = part.isLast();
                    checkBodyLength(open);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("writing to memory", e);
                } finally {
                    part.release();
                }
            } else if (msg instanceof HttpRequestError rejection) {
                if (rejection.violation() == null || rejection.status() < 400 || rejection.status() > 599) {
                    throw new AssertionError("a rejection without a 4xx or 5xx status: " + rejection);
                }
                error = rejection;
            } else {
                release(msg);
                throw new AssertionError("the parser emitted a " + msg.getClass().getName() + ": " + msg);
            }
        }

        private static void release(Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        private static void checkHead(HttpRequestHead head) {
            boolean lengthGiven = head.contentLength() >= 0;
            if (lengthGiven != (head.framing() == BodyFraming.CONTENT_LENGTH)) {
                throw new AssertionError("Content-Length " + head.contentLength() + " with framing " + head.framing());
            }
            if (head.framing() == BodyFraming.UNTIL_CLOSE) {
                throw new AssertionError("a request framed until close: " + head);
            }
            if (head.rawHead() == null || !head.toString().endsWith("\r\n\r\n")) {
                throw new AssertionError("the head's bytes were not kept whole: " + head);
            }
        }

        private static void checkBodyLength(Request request) {
            long length = request.body.size();
            HttpRequestHead head = request.head;
            switch (head.framing()) {
                case NONE -> {
                    if (length != 0 || !request.complete) {
                        throw new AssertionError("a request without a body got " + length + " bytes, complete: "
                                + request.complete);
                    }
                }
                case CONTENT_LENGTH -> {
                    if (length > head.contentLength() || request.complete != (length == head.contentLength())) {
                        throw new AssertionError(length + " body bytes of " + head.contentLength()
                                + ", complete: " + request.complete);
                    }
                }
                default -> {
                }
            }
        }

        int events() {
            return events;
        }

        boolean allComplete() {
            return requests.stream().allMatch(r -> r.complete);
        }

        Transcript copy() {
            Transcript copy = new Transcript();
            copy.requests.addAll(requests.stream().map(r -> {
                Request c = new Request(r.head);
                c.body.writeBytes(r.body.toByteArray());
                c.complete = r.complete;
                return c;
            }).toList());
            copy.error = error;
            copy.events = events;
            return copy;
        }

        List<String> describeFrom(int first) {
            List<String> out = new ArrayList<>();
            for (int i = first; i < requests.size(); i++) {
                out.add(describe(requests.get(i)));
            }
            if (error != null) {
                out.add("ERROR " + error.violation() + " " + error.detail());
            }
            return out;
        }

        String describe() {
            return String.join("\n", describeFrom(0));
        }

        /** The requests without the rejection, if any. */
        List<String> describeRequests() {
            List<String> out = describeFrom(0);
            return error == null ? out : out.subList(0, out.size() - 1);
        }


        private static String describe(Request r) {
            HttpRequestHead h = r.head;
            return h.method() + " " + h.target().raw() + " " + h.version() + " " + h.fields() + " " + h.framing()
                    + "(" + h.contentLength() + ")" + (h.keepAlive() ? " keep-alive" : " close")
                    + (h.expectContinue() ? " expect-continue" : "") + " head=[" + printable(h.rawHead()) + "]"
                    + (r.complete ? " body=[" : " incomplete-body=[") + printable(r.body.toByteArray()) + "]";
        }
    }

    // ---------------------------------------------------------------- helpers

    /** FNV-1a: the same input always draws the same limits, request and cuts, so every failure reproduces. */
    private static long seed(byte[] input) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : input) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return hash;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c >= 0x7f || c == '\\') {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
